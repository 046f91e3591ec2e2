//! Reviewing a decision log: what to label next, what the bot does not know, phrases
//! to add, and misroutes — pure functions over [`DecisionRecord`]s.
//!
//! See [`Review`] for what each list holds and [`Reviewer`] for its costs.

mod cluster;
mod topk;
mod words;

use std::borrow::Borrow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::log::{Correction, DecisionRecord};
use crate::Intent;
use cluster::Clusters;
use topk::{Ranked, TopK};
use words::{dedup_key, similarity, trigrams};

/// Review options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct ReviewOptions {
    /// The model's no-intent threshold ([`IntentModel::threshold`](crate::IntentModel::threshold)).
    pub threshold: f32,
    /// How close to the threshold, and how close the two best intents, count as
    /// uncertain.
    pub margin: f32,
    /// Least confidence of a phrase to add.
    pub confident: f32,
    /// A phrase to add is less similar than this to every phrase of its intent.
    pub novel_below: f32,
    /// Least cosine similarity for an unknown message to join a cluster.
    pub cluster_similarity: f32,
    /// Smallest cluster listed.
    pub min_cluster: usize,
    /// The team that gets leads.
    pub sales_team: String,
    /// Intents whose keyword triggers are sales signals.
    pub sales_intents: Vec<String>,
    /// Items per list.
    pub max_items: usize,
    /// Clusters listed (and, doubled, kept while reviewing).
    pub max_clusters: usize,
    /// Representatives per cluster.
    pub samples: usize,
}

impl Default for ReviewOptions {
    fn default() -> Self {
        ReviewOptions {
            threshold: 0.5,
            margin: 0.1,
            confident: 0.8,
            novel_below: 0.5,
            cluster_similarity: 0.3,
            min_cluster: 2,
            sales_team: "sales".into(),
            sales_intents: Vec::new(),
            max_items: 20,
            max_clusters: 100,
            samples: 4,
        }
    }
}

impl ReviewOptions {
    /// Default options with the model's threshold.
    pub fn with_threshold(threshold: f32) -> Self {
        ReviewOptions {
            threshold,
            ..ReviewOptions::default()
        }
    }
}

/// Why a message is worth labelling.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LabelReason {
    /// A human corrected it, or judged its hand-off wrong.
    Corrected,
    /// Its confidence is within the margin of the no-intent threshold.
    NearThreshold,
    /// The two best intents are within the margin of each other.
    CloseCall,
    /// A keyword of another intent fired (or one fired while the model saw no intent).
    KeywordDisagrees,
}

impl LabelReason {
    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            LabelReason::Corrected => "corrected by a human",
            LabelReason::NearThreshold => "near the threshold",
            LabelReason::CloseCall => "two intents close",
            LabelReason::KeywordDisagrees => "keyword and model disagree",
        }
    }
}

/// A message worth labelling.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct LabelCandidate {
    /// Its first occurrence.
    pub record: DecisionRecord,
    /// Why, strongest first.
    pub reasons: Vec<LabelReason>,
    /// The strongest occurrence's strength (the sum over its reasons).
    pub strength: f64,
    /// How often the message occurred.
    pub occurrences: usize,
}

/// A group of similar messages the bot had no intent for.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct UnknownCluster {
    /// Messages in the cluster.
    pub size: usize,
    /// Its most telling words, as users wrote them.
    pub words: Vec<String>,
    /// A few distinct messages of it, first seen first.
    pub representatives: Vec<DecisionRecord>,
}

/// A confident message unlike any phrase of its intent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PhraseSuggestion {
    /// Its first occurrence (the intent is `record.intent`).
    pub record: DecisionRecord,
    /// The intent's most similar phrase.
    pub nearest_phrase: String,
    /// Character-trigram similarity to it, in `[0, 1]`.
    pub similarity: f32,
    /// How often the message occurred.
    pub occurrences: usize,
}

/// What went wrong with a route.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MisrouteKind {
    /// Handed to the sales team and marked "not a lead" (or "should have stayed with
    /// the bot").
    NotALead,
    /// Handed to a team, and a human says another team (a support problem that
    /// reached sales, a lead that reached support).
    WrongTeam,
    /// Stayed with the bot although a human says it should have gone to a team, or a
    /// (not negated) keyword of a sales intent fired.
    MissedHandoff,
}

impl MisrouteKind {
    /// A short human description.
    pub fn describe(self) -> &'static str {
        match self {
            MisrouteKind::NotALead => "handed to sales, not a lead",
            MisrouteKind::WrongTeam => "handed to the wrong team",
            MisrouteKind::MissedHandoff => "should have been handed off",
        }
    }
}

/// A misrouted message.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Misroute {
    /// What went wrong.
    pub kind: MisrouteKind,
    /// Its first occurrence (`record.rule` decided it).
    pub record: DecisionRecord,
    /// Where it should have gone: the corrected team, `None` for the bot or unknown.
    pub should_go_to: Option<String>,
    /// How often the same message was misrouted the same way.
    pub occurrences: usize,
}

/// How many records of each misroute kind (all of them, listed or not).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MisrouteCount {
    /// The kind.
    pub kind: MisrouteKind,
    /// Records of that kind.
    pub records: usize,
}

/// What a review found.
///
/// # What each list holds
/// - **To label** ([`Review::to_label`]): text messages that would teach the model
///   most once labelled. Each has its [`LabelReason`]s, each with a strength in
///   `(0, 1]`: near the no-intent threshold (`1 - |confidence - threshold| / margin`),
///   a close call between the two best intents (`1 - gap / margin`), a keyword trigger
///   of another intent than the model's (0.75), a human correction that disagrees
///   with the decision or a hand-off judged wrong (1). A message's strength is the sum
///   over its reasons; repeated messages (same words, any case or punctuation) are
///   listed once and ranked by strength times `1 + ln(occurrences)`.
/// - **Unknown** ([`Review::unknown`]): messages with no intent (not button clicks,
///   not answers to a question), clustered online: each message joins the cluster whose
///   content-word stems (stop words dropped, the first six characters kept) are most
///   similar by cosine, at least `cluster_similarity`, or starts a new one; clusters of
///   at least `min_cluster` messages, largest first, each with its
///   most telling words and a few representatives.
/// - **Phrases to add** ([`Review::phrases_to_add`]): messages detected with at least
///   `confident` confidence and nothing saying they were wrong (no disagreeing
///   correction, no hand-off judged wrong, on the message or on a later record of its
///   conversation), whose character-trigram similarity to every phrase of
///   their intent is below `novel_below`; most novel first (`confidence * (1 -
///   similarity)`), with the nearest phrase.
/// - **Misroutes** ([`Review::misroutes`]): see [`MisrouteKind`]; most frequent first,
///   then first seen, with the rule that decided.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Review {
    /// Records reviewed.
    pub records: usize,
    /// Of those, text messages that were not answers to a question.
    pub messages: usize,
    /// Messages worth labelling, most instructive first.
    pub to_label: Vec<LabelCandidate>,
    /// Records that qualified for [`to_label`](Review::to_label) (listed or not).
    pub label_records: usize,
    /// Messages with no intent, clustered, largest cluster first.
    pub unknown: Vec<UnknownCluster>,
    /// Messages with no intent (all of them).
    pub unknown_messages: usize,
    /// Of those, messages in no listed cluster: in clusters below the minimum size,
    /// dropped to keep memory bounded, or without a content word.
    pub unclustered: usize,
    /// Confident messages unlike their intent's phrases, most novel first.
    pub phrases_to_add: Vec<PhraseSuggestion>,
    /// Misroutes, most frequent first.
    pub misroutes: Vec<Misroute>,
    /// Misrouted records per kind.
    pub misroute_counts: Vec<MisrouteCount>,
}

/// One intent's phrases, prepared for similarity.
#[derive(Clone, Debug)]
struct PhraseSet {
    phrases: Vec<(String, Vec<u32>)>,
}

/// Reviews records pushed one at a time, in bounded memory.
///
/// It consumes records one at a time (from a
/// [`LogReader`](super::LogReader), a database cursor, a slice) and keeps bounded
/// state: each list is a deduplicating best-`k` list of at most `8 * max_items`
/// entries, and the clusters of unknown messages are capped at `2 * max_clusters`
/// with at most 64 stems and `samples` messages each. A log of any length is reviewed
/// in memory that depends on the options, not on the log.
///
/// # Complexity
/// Per record: a few hash look-ups for the lists; for a phrase candidate, one
/// trigram-set comparison per phrase of its intent; for an unknown message, one update
/// per cluster sharing a content word with it. Finishing sorts the bounded lists.
///
/// ```
/// use handoff::eval::{Correction, DecisionRecord, MisrouteKind, Reviewer, ReviewOptions};
/// let mut reviewer = Reviewer::new(&[], ReviewOptions::default());
/// reviewer.push(&DecisionRecord {
///     conversation: "c1".into(), at: 1, text: "I'm a student, just curious".into(),
///     route: Some("handoff".into()), team: Some("sales".into()), handed_off: true,
///     rule: Some("buying_intent".into()), correction: Some(Correction::NotALead),
///     ..Default::default()
/// });
/// let review = reviewer.finish();
/// assert_eq!(review.misroutes[0].kind, MisrouteKind::NotALead);
/// assert_eq!(review.misroutes[0].record.rule.as_deref(), Some("buying_intent"));
/// ```
#[derive(Clone, Debug)]
pub struct Reviewer {
    options: ReviewOptions,
    phrases: BTreeMap<String, PhraseSet>,
    label: TopK<(DecisionRecord, Vec<LabelReason>)>,
    novel: TopK<(DecisionRecord, String, f32)>,
    misroutes: TopK<(MisrouteKind, DecisionRecord, Option<String>)>,
    misroute_counts: BTreeMap<MisrouteKind, usize>,
    clusters: Clusters,
    records: usize,
    messages: usize,
    label_records: usize,
    unknown_messages: usize,
}

impl Reviewer {
    /// A reviewer for a bot with these intents (their phrases are what "phrases to
    /// add" compares with; pass `&[]` to skip that list).
    pub fn new(intents: &[Intent], options: ReviewOptions) -> Reviewer {
        let phrases = intents
            .iter()
            .map(|i| {
                let set = i.phrases.iter().map(|p| (p.clone(), trigrams(p))).collect();
                (i.id.clone(), PhraseSet { phrases: set })
            })
            .collect();
        Reviewer {
            label: TopK::new(options.max_items),
            novel: TopK::new(options.max_items),
            misroutes: TopK::new(options.max_items),
            clusters: Clusters::new(
                options.cluster_similarity,
                options.max_clusters,
                options.samples,
            ),
            options,
            phrases,
            misroute_counts: BTreeMap::new(),
            records: 0,
            messages: 0,
            label_records: 0,
            unknown_messages: 0,
        }
    }

    /// Reviews one record.
    pub fn push(&mut self, r: &DecisionRecord) {
        self.records += 1;
        self.check_route(r);
        if r.is_corrected() || r.verdict() == Some(false) {
            // A wrong outcome makes the conversation's earlier messages look wrong too.
            let conversation = r.conversation.as_str();
            self.novel
                .retain(|(earlier, _, _)| earlier.conversation != conversation);
        }
        if r.text.trim().is_empty() || r.answered.is_some() {
            return;
        }
        self.messages += 1;
        let key = dedup_key(&r.text);
        self.check_label(r, &key);
        if r.intent.is_none() {
            self.unknown_messages += 1;
            self.clusters.add(r);
        } else {
            self.check_novel(r, key);
        }
    }

    /// Items held in the bounded lists and clusters now: it does not grow with the
    /// number of records.
    pub fn held(&self) -> usize {
        self.label.len() + self.novel.len() + self.misroutes.len() + self.clusters.held()
    }

    /// The review.
    pub fn finish(self) -> Review {
        let o = &self.options;
        let clusters = self.clusters.finish(o.min_cluster, 5);
        let unknown = clusters
            .into_iter()
            .take(o.max_clusters)
            .map(|(c, words)| UnknownCluster {
                size: c.size,
                words,
                representatives: c.samples,
            })
            .collect::<Vec<_>>();
        let listed: usize = unknown.iter().map(|c| c.size).sum();
        Review {
            records: self.records,
            messages: self.messages,
            to_label: self
                .label
                .into_best(o.max_items)
                .into_iter()
                .map(|r: Ranked<_>| LabelCandidate {
                    strength: r.score,
                    occurrences: r.occurrences,
                    reasons: r.item.1,
                    record: r.item.0,
                })
                .collect(),
            label_records: self.label_records,
            unknown,
            unknown_messages: self.unknown_messages,
            // Every unknown message is in a listed cluster, a smaller or dropped one, or
            // had no content word.
            unclustered: self.unknown_messages - listed,
            phrases_to_add: self
                .novel
                .into_best(o.max_items)
                .into_iter()
                .map(|r| PhraseSuggestion {
                    occurrences: r.occurrences,
                    record: r.item.0,
                    nearest_phrase: r.item.1,
                    similarity: r.item.2,
                })
                .collect(),
            misroutes: self
                .misroutes
                .into_best(o.max_items)
                .into_iter()
                .map(|r| Misroute {
                    kind: r.item.0,
                    record: r.item.1,
                    should_go_to: r.item.2,
                    occurrences: r.occurrences,
                })
                .collect(),
            misroute_counts: self
                .misroute_counts
                .into_iter()
                .map(|(kind, records)| MisrouteCount { kind, records })
                .collect(),
        }
    }

    fn check_label(&mut self, r: &DecisionRecord, key: &str) {
        let reasons = label_reasons(r, &self.options);
        if reasons.is_empty() {
            return;
        }
        self.label_records += 1;
        let strength: f64 = reasons.iter().map(|(_, s)| f64::from(*s)).sum();
        self.label.add(key.to_string(), strength, || {
            (r.clone(), reasons.iter().map(|(why, _)| *why).collect())
        });
    }

    fn check_novel(&mut self, r: &DecisionRecord, key: String) {
        let (Some(intent), Some(confidence)) = (&r.intent, r.confidence) else {
            return;
        };
        let judged_wrong = r.is_corrected() || r.verdict() == Some(false);
        if confidence < self.options.confident || judged_wrong {
            return;
        }
        let Some(set) = self.phrases.get(intent) else {
            return;
        };
        let grams = trigrams(&r.text);
        let nearest = set
            .phrases
            .iter()
            .map(|(p, g)| (p, similarity(&grams, g)))
            .fold(None::<(&String, f32)>, |best, (p, s)| match best {
                Some((_, b)) if b >= s => best,
                _ => Some((p, s)),
            });
        let (phrase, sim) = nearest.map_or((String::new(), 0.0), |(p, s)| (p.clone(), s));
        if sim >= self.options.novel_below {
            return;
        }
        let score = f64::from(confidence) * f64::from(1.0 - sim);
        self.novel.add(key, score, || (r.clone(), phrase, sim));
    }

    fn check_route(&mut self, r: &DecisionRecord) {
        let Some((kind, should)) = misroute(r, &self.options) else {
            return;
        };
        *self.misroute_counts.entry(kind).or_default() += 1;
        let key = format!("{kind:?}\u{0}{}", dedup_key(&r.text));
        let key = if r.text.trim().is_empty() {
            format!("{key}\u{0}{}", r.conversation)
        } else {
            key
        };
        self.misroutes
            .add(key, 1.0, || (kind, r.clone(), should.map(str::to_string)));
    }
}

/// Why a record is worth labelling, each with its strength, strongest first.
fn label_reasons(r: &DecisionRecord, o: &ReviewOptions) -> Vec<(LabelReason, f32)> {
    let mut out = Vec::new();
    let margin = o.margin.max(f32::EPSILON);
    if r.is_corrected() || (r.handed_off && r.verdict() == Some(false)) {
        out.push((LabelReason::Corrected, 1.0));
    }
    if let Some(c) = r.confidence {
        let off = (c - o.threshold).abs();
        if off <= o.margin {
            out.push((LabelReason::NearThreshold, 1.0 - off / margin));
        }
        if let Some(c2) = r.runner_up_confidence {
            let gap = (c - c2).abs();
            if gap <= o.margin {
                out.push((LabelReason::CloseCall, 1.0 - gap / margin));
            }
        }
    }
    let disagrees = r
        .keywords
        .iter()
        .any(|k| !k.negated && r.intent.as_deref() != Some(k.intent.as_str()));
    if disagrees {
        out.push((LabelReason::KeywordDisagrees, 0.75));
    }
    // Strength 0 (exactly on the margin) teaches nothing.
    out.retain(|(_, s)| *s > 0.0);
    out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    out
}

/// The misroute a record shows, with where it should have gone.
fn misroute<'a>(
    r: &'a DecisionRecord,
    o: &'a ReviewOptions,
) -> Option<(MisrouteKind, Option<&'a str>)> {
    let team = r.team.as_deref();
    if r.handed_off {
        return match &r.correction {
            Some(Correction::NotALead) | Some(Correction::Bot) if team == Some(&*o.sales_team) => {
                Some((MisrouteKind::NotALead, None))
            }
            Some(Correction::Team(t)) if Some(t.as_str()) != team => {
                Some((MisrouteKind::WrongTeam, Some(t)))
            }
            _ => None,
        };
    }
    if r.route.as_deref() == Some("ask") {
        // Qualifying first is the flow working, not a miss.
        return None;
    }
    if let Some(Correction::Team(t)) = &r.correction {
        return Some((MisrouteKind::MissedHandoff, Some(t)));
    }
    let sales_keyword = r
        .keywords
        .iter()
        .any(|k| !k.negated && o.sales_intents.contains(&k.intent));
    sales_keyword.then_some((MisrouteKind::MissedHandoff, Some(&*o.sales_team)))
}

/// Reviews a whole sequence of records (owned or borrowed), streamed.
pub fn review<R: Borrow<DecisionRecord>>(
    records: impl IntoIterator<Item = R>,
    intents: &[Intent],
    options: ReviewOptions,
) -> Review {
    let mut reviewer = Reviewer::new(intents, options);
    for r in records {
        reviewer.push(r.borrow());
    }
    reviewer.finish()
}
