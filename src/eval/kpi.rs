//! KPIs from the decision logs a host keeps.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::log::DecisionRecord;
use super::ratio::ratio;

/// KPI options.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[non_exhaustive]
pub struct KpiOptions {
    /// Length of a reporting period in seconds (86,400 for days, 604,800 for weeks,
    /// 2,592,000 for 30-day months); `None` (or a value below 1) skips the breakdown by
    /// period. Periods start at multiples of the length (Unix-epoch aligned for Unix
    /// timestamps; Thursday-aligned weeks).
    pub period_seconds: Option<i64>,
    /// Only conversations that start at or after this time (`None`: no lower bound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<i64>,
    /// Only conversations that start before this time (`None`: no upper bound).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub until: Option<i64>,
}

impl KpiOptions {
    /// Options with a period length in seconds.
    pub fn period(seconds: i64) -> Self {
        KpiOptions {
            period_seconds: Some(seconds),
            ..KpiOptions::default()
        }
    }

    /// The same options over the window `[from, until)`: a conversation counts when its
    /// first record falls in it.
    pub fn window(mut self, from: Option<i64>, until: Option<i64>) -> Self {
        self.from = from;
        self.until = until;
        self
    }

    fn in_window(&self, start: i64) -> bool {
        self.from.map_or(true, |f| start >= f) && self.until.map_or(true, |u| start < u)
    }
}

/// Upper bounds (exclusive, seconds) of the response-time buckets: under 1 minute,
/// 2, 5, 10, 30 minutes, 1 hour, 4 hours; the last bucket holds the rest.
pub const RESPONSE_BUCKETS_S: [i64; 7] = [60, 120, 300, 600, 1_800, 3_600, 14_400];

/// Hand-offs to one team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamCount {
    /// The team (`None`: a hand-off logged without a team).
    pub team: Option<String>,
    /// Hand-offs.
    pub handoffs: usize,
}

/// Hand-offs for one (intent, rule) reason.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reason {
    /// The intent detected when handing off (`None`: no intent).
    pub intent: Option<String>,
    /// The rule that handed off (`None`: the default route).
    pub rule: Option<String>,
    /// Hand-offs for this reason.
    pub handoffs: usize,
}

/// KPI figures for one slice of conversations (all, one channel, one period, one team).
/// Rates are fractions in `[0, 1]`, `None` when undefined (nothing to divide by);
/// times are seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KpiFigures {
    /// The channel of this slice (`None`: all channels).
    pub channel: Option<String>,
    /// Start of the period of this slice (`None`: all time).
    pub period_start: Option<i64>,
    /// The team of this slice (`None`: all teams); a team's slice holds the
    /// conversations handed to it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub team: Option<String>,
    /// Conversations.
    pub conversations: usize,
    /// Conversations handed off to a human.
    pub handoffs: usize,
    /// `handoffs / conversations`.
    pub handoff_rate: Option<f64>,
    /// Hand-offs per team, by team.
    #[serde(default)]
    pub handoffs_by_team: Vec<TeamCount>,
    /// Hand-offs with a verdict ([`DecisionRecord::verdict`]: the rep's
    /// `handoff_correct`, or a correction that judges the hand-off).
    pub judged_handoffs: usize,
    /// Share of judged hand-offs judged right.
    pub handoff_accuracy: Option<f64>,
    /// Hand-offs with a valid first-reply time (a reply at or after the hand-off).
    pub replied_handoffs: usize,
    /// Hand-offs whose first reply is logged before the hand-off (a host clock or
    /// logging problem): left out of the response times.
    pub replies_before_handoff: usize,
    /// Median time from hand-off to the first rep reply (nearest rank).
    pub median_response_s: Option<i64>,
    /// 90th percentile of that time (nearest rank).
    pub p90_response_s: Option<i64>,
    /// How those times spread: counts per bucket of [`RESPONSE_BUCKETS_S`], the last
    /// bucket open-ended (empty when no hand-off was replied to).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub response_histogram: Vec<usize>,
    /// Hand-offs whose conversion outcome is known.
    pub known_conversions: usize,
    /// Share of handed-off conversations with a known outcome that converted.
    pub conversion_rate: Option<f64>,
    /// Conversations with a known outcome: handed off, or `completed_with_bot` given.
    pub known_outcomes: usize,
    /// Share of those completed with the bot and never handed off.
    pub bot_retention_rate: Option<f64>,
    /// Hand-offs by (intent, rule), most first.
    pub reasons: Vec<Reason>,
}

/// KPIs over decision logs, overall and broken down by channel and by period.
///
/// Complexity: `O(n log n)` for `n` records (grouping by conversation and sorting
/// response times).
///
/// ```
/// use handoff::eval::{DecisionRecord, KpiOptions, Kpis};
/// let log = vec![
///     DecisionRecord { conversation: "c1".into(), channel: "web".into(), at: 100,
///         handed_off: true, first_reply_at: Some(160), handoff_correct: Some(true),
///         converted: Some(true), intent: Some("pricing".into()),
///         rule: Some("qualified".into()), ..Default::default() },
///     DecisionRecord { conversation: "c2".into(), channel: "web".into(), at: 200,
///         completed_with_bot: Some(true), ..Default::default() },
/// ];
/// let kpis = Kpis::compute(&log, &KpiOptions::period(86_400));
/// assert_eq!(kpis.overall.conversations, 2);
/// assert_eq!(kpis.overall.handoff_rate, Some(0.5));
/// assert_eq!(kpis.overall.median_response_s, Some(60));
/// assert_eq!(kpis.overall.bot_retention_rate, Some(0.5));
/// assert_eq!(kpis.overall.handoff_accuracy, Some(1.0));
/// assert!(kpis.to_csv().lines().nth(1).unwrap().starts_with("all,,,2,1,0.5,"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Kpis {
    /// All conversations.
    pub overall: KpiFigures,
    /// Per channel, sorted by channel.
    pub by_channel: Vec<KpiFigures>,
    /// Per period, in time order (empty without a period length).
    pub by_period: Vec<KpiFigures>,
    /// Per channel and period, by channel then time (empty without a period length).
    pub by_channel_and_period: Vec<KpiFigures>,
    /// Per team handed to, by team (hand-offs logged without a team are left out).
    #[serde(default)]
    pub by_team: Vec<KpiFigures>,
}

/// One conversation, folded from its records as they stream by.
#[derive(Clone, Debug)]
struct Folded {
    channel: Name,
    start: i64,
    handoff: Option<Handoff>,
    first_reply: Option<i64>,
    /// The verdict and the time of the record that gave it.
    verdict: Option<(i64, bool)>,
    converted: Option<bool>,
    completed: Option<bool>,
}

/// The earliest hand-off of a conversation.
#[derive(Clone, Debug)]
struct Handoff {
    at: i64,
    intent: Name,
    rule: Name,
    team: Name,
}

/// An interned string: an index into the accumulator's names, [`NO_NAME`] for none.
/// Four bytes instead of a shared string's sixteen: logs have many conversations.
type Name = u32;
const NO_NAME: Name = Name::MAX;

/// Computes [`Kpis`] from records pushed one at a time, so a log streams through
/// without being held in memory: it keeps a few words per conversation (strings
/// shared), not the records.
///
/// ```
/// use handoff::eval::{DecisionRecord, KpiAccumulator, KpiOptions};
/// let mut acc = KpiAccumulator::new(KpiOptions::default());
/// acc.push(&DecisionRecord { conversation: "c1".into(), at: 5, ..Default::default() });
/// assert_eq!(acc.finish().overall.conversations, 1);
/// ```
#[derive(Clone, Debug, Default)]
pub struct KpiAccumulator {
    options: KpiOptions,
    conversations: HashMap<Box<str>, Folded>,
    names: Vec<Arc<str>>,
    ids: HashMap<Arc<str>, Name>,
}

impl KpiAccumulator {
    /// An empty accumulator.
    pub fn new(options: KpiOptions) -> Self {
        KpiAccumulator {
            options,
            ..KpiAccumulator::default()
        }
    }

    /// Folds one record into its conversation (see [`Kpis::compute`] for how).
    pub fn push(&mut self, r: &DecisionRecord) {
        let handoff = r.handed_off.then(|| Handoff {
            at: r.at,
            intent: self.intern_opt(r.intent.as_deref()),
            rule: self.intern_opt(r.rule.as_deref()),
            team: self.intern_opt(r.team.as_deref()),
        });
        let channel = self.intern(&r.channel);
        let verdict = r.verdict().map(|v| (r.at, v));
        let Some(c) = self.conversations.get_mut(r.conversation.as_str()) else {
            let folded = Folded {
                channel,
                start: r.at,
                handoff,
                first_reply: r.first_reply_at,
                verdict,
                converted: r.converted,
                completed: r.completed_with_bot,
            };
            self.conversations
                .insert(r.conversation.as_str().into(), folded);
            return;
        };
        // Strict `<`: among equal times the record logged first wins.
        if r.at < c.start {
            c.start = r.at;
            c.channel = channel;
        }
        if let Some(h) = handoff {
            if c.handoff.as_ref().map_or(true, |old| h.at < old.at) {
                c.handoff = Some(h);
            }
        }
        c.first_reply = min_some(c.first_reply, r.first_reply_at);
        // `>=`: among equal times the record logged last wins.
        if let Some((at, v)) = verdict {
            if c.verdict.map_or(true, |(old, _)| at >= old) {
                c.verdict = Some((at, v));
            }
        }
        c.converted = any_true(c.converted, r.converted);
        c.completed = any_true(c.completed, r.completed_with_bot);
    }

    /// Conversations seen so far (in or out of the window).
    pub fn conversations(&self) -> usize {
        self.conversations.len()
    }

    /// The KPIs of the conversations whose first record falls in the window.
    pub fn finish(&self) -> Kpis {
        let folded: Vec<&Folded> = self
            .conversations
            .values()
            .filter(|c| self.options.in_window(c.start))
            .collect();
        let period = self.options.period_seconds.filter(|&p| p > 0);
        // saturating: the period of timestamps near i64::MIN would start below it.
        let bucket = |c: &Folded| period.map(|p| c.start.saturating_sub(c.start.rem_euclid(p)));
        let names = &self.names[..];
        let overall = figures(folded.iter().copied(), Slice::default(), names);
        let mut channels: BTreeMap<&str, Vec<&Folded>> = BTreeMap::new();
        let mut periods: BTreeMap<i64, Vec<&Folded>> = BTreeMap::new();
        let mut both: BTreeMap<(&str, i64), Vec<&Folded>> = BTreeMap::new();
        let mut teams: BTreeMap<&str, Vec<&Folded>> = BTreeMap::new();
        for c in folded {
            let channel = name(names, c.channel).unwrap_or("");
            channels.entry(channel).or_default().push(c);
            if let Some(b) = bucket(c) {
                periods.entry(b).or_default().push(c);
                both.entry((channel, b)).or_default().push(c);
            }
            if let Some(team) = c.handoff.as_ref().and_then(|h| name(names, h.team)) {
                teams.entry(team).or_default().push(c);
            }
        }
        let slice = |channel: Option<&str>, period_start: Option<i64>, team: Option<&str>| Slice {
            channel: channel.map(str::to_string),
            period_start,
            team: team.map(str::to_string),
        };
        let of = |cs: Vec<&Folded>, slice| figures(cs.into_iter(), slice, names);
        Kpis {
            overall,
            by_channel: channels
                .into_iter()
                .map(|(ch, cs)| of(cs, slice(Some(ch), None, None)))
                .collect(),
            by_period: periods
                .into_iter()
                .map(|(p, cs)| of(cs, slice(None, Some(p), None)))
                .collect(),
            by_channel_and_period: both
                .into_iter()
                .map(|((ch, p), cs)| of(cs, slice(Some(ch), Some(p), None)))
                .collect(),
            by_team: teams
                .into_iter()
                .map(|(t, cs)| of(cs, slice(None, None, Some(t))))
                .collect(),
        }
    }

    fn intern(&mut self, s: &str) -> Name {
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        // Past four billion distinct names (a corrupt log), the rest share "none".
        let Ok(id) = Name::try_from(self.names.len()) else {
            return NO_NAME;
        };
        if id == NO_NAME {
            return NO_NAME;
        }
        let shared: Arc<str> = s.into();
        self.names.push(Arc::clone(&shared));
        self.ids.insert(shared, id);
        id
    }

    fn intern_opt(&mut self, s: Option<&str>) -> Name {
        s.map_or(NO_NAME, |s| self.intern(s))
    }
}

fn min_some(a: Option<i64>, b: Option<i64>) -> Option<i64> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// `true` when either says `true`, `false` when the known ones say only `false`.
fn any_true(a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a || b),
        (a, b) => a.or(b),
    }
}

impl Kpis {
    /// Computes the KPIs. A conversation's records combine as follows:
    /// - its channel and period are those of its earliest record;
    /// - it counts when that earliest record falls in the options' window;
    /// - it is handed off when any record is; the earliest such record gives the
    ///   hand-off time (`at`), the team and the reason (intent, rule);
    /// - its first reply is the earliest `first_reply_at` on any of its records;
    /// - the verdict is the latest record's (by `at`) [`DecisionRecord::verdict`]
    ///   that is given;
    /// - it converted / completed with the bot when any record says `true`, did not
    ///   when records say only `false`, and is unknown otherwise.
    ///
    /// Ties in `at` are broken by log order. Never panics; undefined figures are
    /// `None`. For logs too large to hold, push records into a [`KpiAccumulator`].
    pub fn compute(records: &[DecisionRecord], options: &KpiOptions) -> Kpis {
        Kpis::from_records(records, options)
    }

    /// [`Kpis::compute`] over any sequence of records (owned or borrowed), streamed.
    pub fn from_records<R: Borrow<DecisionRecord>>(
        records: impl IntoIterator<Item = R>,
        options: &KpiOptions,
    ) -> Kpis {
        let mut acc = KpiAccumulator::new(options.clone());
        for r in records {
            acc.push(r.borrow());
        }
        acc.finish()
    }

    /// The figures as CSV (RFC 4180), one row per slice with a `scope` column (`all`,
    /// `channel`, `period`, `channel_period`, `team`); rates as fractions, times in
    /// seconds, undefined figures as empty cells. The `team` column, last so that
    /// columns keep their places, names the team of a `team` row.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "scope,channel,period_start,conversations,handoffs,handoff_rate,\
             judged_handoffs,handoff_accuracy,replied_handoffs,replies_before_handoff,\
             median_response_s,p90_response_s,known_conversions,conversion_rate,\
             known_outcomes,bot_retention_rate,team\n",
        );
        for (scope, f) in self.rows() {
            let _ = writeln!(
                out,
                "{scope},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
                csv_field(f.channel.as_deref().unwrap_or("")),
                opt(f.period_start),
                f.conversations,
                f.handoffs,
                opt(f.handoff_rate),
                f.judged_handoffs,
                opt(f.handoff_accuracy),
                f.replied_handoffs,
                f.replies_before_handoff,
                opt(f.median_response_s),
                opt(f.p90_response_s),
                f.known_conversions,
                opt(f.conversion_rate),
                f.known_outcomes,
                opt(f.bot_retention_rate),
                csv_field(f.team.as_deref().unwrap_or("")),
            );
        }
        out
    }

    /// The escalation reasons as CSV:
    /// `scope,channel,period_start,intent,rule,handoffs,team`, scopes as in
    /// [`Kpis::to_csv`].
    pub fn reasons_csv(&self) -> String {
        let mut out = String::from("scope,channel,period_start,intent,rule,handoffs,team\n");
        for (scope, f) in self.rows() {
            for r in &f.reasons {
                let _ = writeln!(
                    out,
                    "{scope},{},{},{},{},{},{}",
                    csv_field(f.channel.as_deref().unwrap_or("")),
                    opt(f.period_start),
                    csv_field(r.intent.as_deref().unwrap_or("")),
                    csv_field(r.rule.as_deref().unwrap_or("")),
                    r.handoffs,
                    csv_field(f.team.as_deref().unwrap_or("")),
                );
            }
        }
        out
    }

    fn rows(&self) -> impl Iterator<Item = (&'static str, &KpiFigures)> {
        std::iter::once(("all", &self.overall))
            .chain(self.by_channel.iter().map(|f| ("channel", f)))
            .chain(self.by_period.iter().map(|f| ("period", f)))
            .chain(
                self.by_channel_and_period
                    .iter()
                    .map(|f| ("channel_period", f)),
            )
            .chain(self.by_team.iter().map(|f| ("team", f)))
    }
}

/// Which slice a set of figures describes.
#[derive(Default)]
struct Slice {
    channel: Option<String>,
    period_start: Option<i64>,
    team: Option<String>,
}

/// The string an interned name stands for.
fn name(names: &[Arc<str>], id: Name) -> Option<&str> {
    names.get(id as usize).map(|s| &**s)
}

fn figures<'a>(
    conversations: impl Iterator<Item = &'a Folded>,
    slice: Slice,
    names: &[Arc<str>],
) -> KpiFigures {
    let mut f = KpiFigures {
        channel: slice.channel,
        period_start: slice.period_start,
        team: slice.team,
        ..KpiFigures::default()
    };
    let (mut judged_right, mut converted, mut retained) = (0, 0, 0);
    let mut times: Vec<i64> = Vec::new();
    let mut reasons: BTreeMap<(Option<&str>, Option<&str>), usize> = BTreeMap::new();
    let mut teams: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for c in conversations {
        f.conversations += 1;
        if let Some(h) = &c.handoff {
            f.handoffs += 1;
            f.known_outcomes += 1;
            *reasons
                .entry((name(names, h.intent), name(names, h.rule)))
                .or_default() += 1;
            *teams.entry(name(names, h.team)).or_default() += 1;
            if let Some((_, v)) = c.verdict {
                f.judged_handoffs += 1;
                judged_right += usize::from(v);
            }
            if let Some(reply) = c.first_reply {
                // checked_sub: absurd timestamps must not overflow.
                match reply.checked_sub(h.at) {
                    Some(d) if d >= 0 => times.push(d),
                    Some(_) => f.replies_before_handoff += 1,
                    None => {
                        if reply < h.at {
                            f.replies_before_handoff += 1;
                        }
                    }
                }
            }
            if let Some(v) = c.converted {
                f.known_conversions += 1;
                converted += usize::from(v);
            }
        } else if let Some(done) = c.completed {
            f.known_outcomes += 1;
            retained += usize::from(done);
        }
    }
    f.handoffs_by_team = teams
        .into_iter()
        .map(|(team, handoffs)| TeamCount {
            team: team.map(str::to_string),
            handoffs,
        })
        .collect();
    f.handoff_rate = ratio(f.handoffs, f.conversations);
    f.handoff_accuracy = ratio(judged_right, f.judged_handoffs);
    f.conversion_rate = ratio(converted, f.known_conversions);
    f.bot_retention_rate = ratio(retained, f.known_outcomes);
    times.sort_unstable();
    if !times.is_empty() {
        f.response_histogram = vec![0; RESPONSE_BUCKETS_S.len() + 1];
        for &t in &times {
            f.response_histogram[RESPONSE_BUCKETS_S.partition_point(|&b| b <= t)] += 1;
        }
    }
    f.replied_handoffs = times.len();
    f.median_response_s = nearest_rank(&times, 50);
    f.p90_response_s = nearest_rank(&times, 90);
    let mut reasons: Vec<Reason> = reasons
        .into_iter()
        .map(|((intent, rule), handoffs)| Reason {
            intent: intent.map(str::to_string),
            rule: rule.map(str::to_string),
            handoffs,
        })
        .collect();
    // Stable: equal counts stay in (intent, rule) order.
    reasons.sort_by_key(|r| std::cmp::Reverse(r.handoffs));
    f.reasons = reasons;
    f
}

/// The nearest-rank percentile of sorted values: the smallest value with at least
/// `p`% of the values at or below it (an observed value, never interpolated).
pub(crate) fn nearest_rank(sorted: &[i64], p: usize) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len()).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

fn opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(String::new, |v| v.to_string())
}

/// Quotes a CSV field when needed (RFC 4180).
pub(crate) fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}
