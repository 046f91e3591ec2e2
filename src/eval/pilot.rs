//! A pilot's figures in one pass over its log: the KPIs per day, channel and team,
//! the review lists, the intent confusions humans pointed out, and the rules that
//! decided — everything the pilot report shows.

use std::borrow::Borrow;
use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::jsonl::LogSummary;
use super::kpi::{KpiAccumulator, KpiOptions, Kpis};
use super::log::DecisionRecord;
use super::review::{Review, ReviewOptions, Reviewer};
use crate::Intent;

/// Distinct intent labels and rules tracked; more are counted under
/// [`PilotReport::OTHER`], so a corrupt log cannot grow memory.
const MAX_LABELS: usize = 64;

/// Pilot options: the KPIs' window and period, and the review's options.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct PilotOptions {
    /// The report's title.
    pub title: String,
    /// KPI options (the period defaults to a day).
    pub kpis: KpiOptions,
    /// Review options.
    pub review: ReviewOptions,
}

impl Default for PilotOptions {
    fn default() -> Self {
        PilotOptions {
            title: "Pilot".into(),
            kpis: KpiOptions::period(86_400),
            review: ReviewOptions::default(),
        }
    }
}

/// How often the bot said one intent where a human says another (or the same).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConfusionCell {
    /// The detected intent (`None`: no intent).
    pub said: Option<String>,
    /// The intent a human gives ([`DecisionRecord::true_intent`]; `None`: no intent).
    pub truth: Option<String>,
    /// Records.
    pub records: usize,
}

/// How often a rule decided, and how often it handed off.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleCount {
    /// The rule (`None`: the default route).
    pub rule: Option<String>,
    /// Decisions it made.
    pub decisions: usize,
    /// Of those, hand-offs.
    pub handoffs: usize,
    /// Of those, hand-offs a human judged wrong.
    pub wrong_handoffs: usize,
}

/// Everything the pilot report shows.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PilotReport {
    /// The title.
    pub title: String,
    /// Records read.
    pub records: usize,
    /// The earliest and latest record times (`None` for an empty log).
    pub span: Option<(i64, i64)>,
    /// KPIs overall, per channel, per day (period), per team.
    pub kpis: Kpis,
    /// The review lists.
    pub review: Review,
    /// Detected against human-given intents, by (said, truth).
    pub confusion: Vec<ConfusionCell>,
    /// The rules that decided, most decisions first.
    pub rules: Vec<RuleCount>,
    /// What reading the log skipped, when the host read it with a
    /// [`LogReader`](super::LogReader).
    pub log: Option<LogSummary>,
}

impl PilotReport {
    /// The label under which intents and rules past the 64th distinct one are counted.
    pub const OTHER: &'static str = "(other)";

    /// The report over a sequence of records (owned or borrowed), streamed: memory is
    /// that of [`KpiAccumulator`] (a few words per conversation) plus the bounded
    /// [`Reviewer`].
    ///
    /// ```
    /// use handoff::eval::{DecisionRecord, PilotOptions, PilotReport};
    /// // Two messages the bot had no intent for: a cluster the report lists.
    /// let log: Vec<DecisionRecord> = ["c1", "c2"].iter().map(|c| DecisionRecord {
    ///     conversation: c.to_string(), at: 0,
    ///     text: "<script>alert(1)</script>".into(), ..Default::default()
    /// }).collect();
    /// let report = PilotReport::from_records(&log, &[], &PilotOptions::default());
    /// assert_eq!(report.records, 2);
    /// assert_eq!(report.review.unknown[0].size, 2);
    /// let html = report.to_html();
    /// assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
    /// ```
    pub fn from_records<R: Borrow<DecisionRecord>>(
        records: impl IntoIterator<Item = R>,
        intents: &[Intent],
        options: &PilotOptions,
    ) -> PilotReport {
        let mut pilot = Pilot::new(intents, options);
        for r in records {
            pilot.push(r.borrow());
        }
        pilot.finish()
    }
}

/// Builds a [`PilotReport`] from records pushed one at a time.
#[derive(Clone, Debug)]
pub struct Pilot {
    title: String,
    kpis: KpiAccumulator,
    reviewer: Reviewer,
    confusion: BTreeMap<(Option<String>, Option<String>), usize>,
    rules: BTreeMap<Option<String>, RuleCount>,
    intent_labels: BTreeSet<String>,
    rule_labels: BTreeSet<String>,
    records: usize,
    span: Option<(i64, i64)>,
}

impl Pilot {
    /// An empty pilot for a bot with these intents.
    pub fn new(intents: &[Intent], options: &PilotOptions) -> Pilot {
        Pilot {
            title: options.title.clone(),
            kpis: KpiAccumulator::new(options.kpis.clone()),
            reviewer: Reviewer::new(intents, options.review.clone()),
            confusion: BTreeMap::new(),
            rules: BTreeMap::new(),
            intent_labels: BTreeSet::new(),
            rule_labels: BTreeSet::new(),
            records: 0,
            span: None,
        }
    }

    /// Adds one record.
    pub fn push(&mut self, r: &DecisionRecord) {
        self.records += 1;
        self.span = Some(match self.span {
            None => (r.at, r.at),
            Some((lo, hi)) => (lo.min(r.at), hi.max(r.at)),
        });
        self.kpis.push(r);
        self.reviewer.push(r);
        if let Some(truth) = r.true_intent() {
            let labels = &mut self.intent_labels;
            let said = r.intent.as_deref().map(|l| bounded_label(labels, l));
            let truth = truth.map(|l| bounded_label(labels, l));
            *self.confusion.entry((said, truth)).or_default() += 1;
        }
        let labels = &mut self.rule_labels;
        let rule = r.rule.as_deref().map(|l| bounded_label(labels, l));
        let count = self.rules.entry(rule.clone()).or_insert(RuleCount {
            rule,
            decisions: 0,
            handoffs: 0,
            wrong_handoffs: 0,
        });
        count.decisions += 1;
        count.handoffs += usize::from(r.handed_off);
        count.wrong_handoffs += usize::from(r.handed_off && r.verdict() == Some(false));
    }

    /// The report (its `log` summary is left for the host to fill in).
    pub fn finish(self) -> PilotReport {
        let mut rules: Vec<RuleCount> = self.rules.into_values().collect();
        // Stable: equal counts stay in rule order.
        rules.sort_by_key(|r| std::cmp::Reverse(r.decisions));
        PilotReport {
            title: self.title,
            records: self.records,
            span: self.span,
            kpis: self.kpis.finish(),
            review: self.reviewer.finish(),
            confusion: self
                .confusion
                .into_iter()
                .map(|((said, truth), records)| ConfusionCell {
                    said,
                    truth,
                    records,
                })
                .collect(),
            rules,
            log: None,
        }
    }
}

/// The label, or [`PilotReport::OTHER`] once `seen` holds [`MAX_LABELS`] labels and
/// this one is new.
fn bounded_label(seen: &mut BTreeSet<String>, label: &str) -> String {
    if seen.contains(label) {
        return label.to_string();
    }
    if seen.len() < MAX_LABELS {
        seen.insert(label.to_string());
        return label.to_string();
    }
    PilotReport::OTHER.to_string()
}
