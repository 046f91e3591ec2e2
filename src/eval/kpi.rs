//! KPIs from the decision logs a host keeps.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use super::ratio;

/// One logged decision, as the host records it (and later annotates).
///
/// Records are grouped by `conversation`; see [`Kpis::compute`] for how a
/// conversation's records combine.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionRecord {
    /// The conversation id.
    pub conversation: String,
    /// The channel the conversation came through (`web`, `pricing_page`...).
    #[serde(default)]
    pub channel: String,
    /// When the decision was made: the host's timestamp, in seconds.
    pub at: i64,
    /// Whether this decision handed the conversation to a human (at `at`).
    #[serde(default)]
    pub handed_off: bool,
    /// When a rep first replied after the hand-off, in seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_reply_at: Option<i64>,
    /// The rep's verdict: was handing off right?
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub handoff_correct: Option<bool>,
    /// Whether the lead converted (a deal, a signup...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub converted: Option<bool>,
    /// Whether the user completed the conversation with the bot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_with_bot: Option<bool>,
    /// The detected intent (`Decision::intent`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<String>,
    /// The rule that decided (`Decision::rule`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

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
}

impl KpiOptions {
    /// Options with a period length in seconds.
    pub fn period(seconds: i64) -> Self {
        KpiOptions {
            period_seconds: Some(seconds),
        }
    }
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

/// KPI figures for one slice of conversations (all, one channel, one period).
/// Rates are fractions in `[0, 1]`, `None` when undefined (nothing to divide by);
/// times are seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct KpiFigures {
    /// The channel of this slice (`None`: all channels).
    pub channel: Option<String>,
    /// Start of the period of this slice (`None`: all time).
    pub period_start: Option<i64>,
    /// Conversations.
    pub conversations: usize,
    /// Conversations handed off to a human.
    pub handoffs: usize,
    /// `handoffs / conversations`.
    pub handoff_rate: Option<f64>,
    /// Hand-offs the rep judged (`handoff_correct` given).
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
}

/// One conversation, folded from its records.
#[derive(Debug)]
struct Folded<'a> {
    channel: &'a str,
    start: i64,
    handoff: Option<&'a DecisionRecord>,
    first_reply: Option<i64>,
    verdict: Option<bool>,
    converted: Option<bool>,
    completed: Option<bool>,
}

impl Kpis {
    /// Computes the KPIs. A conversation's records combine as follows:
    /// - its channel and period are those of its earliest record;
    /// - it is handed off when any record is; the earliest such record gives the
    ///   hand-off time (`at`) and the reason (intent, rule);
    /// - its first reply is the earliest `first_reply_at` on any of its records;
    /// - the verdict is the latest record's (by `at`) `handoff_correct` that is given;
    /// - it converted / completed with the bot when any record says `true`, did not
    ///   when records say only `false`, and is unknown otherwise.
    ///
    /// Ties in `at` are broken by log order. Never panics; undefined figures are
    /// `None`.
    pub fn compute(records: &[DecisionRecord], options: &KpiOptions) -> Kpis {
        let mut by_conversation: BTreeMap<&str, Vec<&DecisionRecord>> = BTreeMap::new();
        for r in records {
            by_conversation.entry(&r.conversation).or_default().push(r);
        }
        let folded: Vec<Folded<'_>> = by_conversation
            .into_values()
            .map(|mut rs| {
                // Stable: log order breaks ties in `at`.
                rs.sort_by_key(|r| r.at);
                let any = |get: fn(&DecisionRecord) -> Option<bool>| {
                    let values: Vec<bool> = rs.iter().filter_map(|r| get(r)).collect();
                    if values.is_empty() {
                        None
                    } else {
                        Some(values.contains(&true))
                    }
                };
                Folded {
                    channel: &rs[0].channel,
                    start: rs[0].at,
                    handoff: rs.iter().copied().find(|r| r.handed_off),
                    first_reply: rs.iter().filter_map(|r| r.first_reply_at).min(),
                    verdict: rs.iter().rev().find_map(|r| r.handoff_correct),
                    converted: any(|r| r.converted),
                    completed: any(|r| r.completed_with_bot),
                }
            })
            .collect();
        let period = options.period_seconds.filter(|&p| p > 0);
        // saturating: the period of timestamps near i64::MIN would start below it.
        let bucket = |c: &Folded<'_>| period.map(|p| c.start.saturating_sub(c.start.rem_euclid(p)));
        let overall = figures(folded.iter(), None, None);
        let mut channels: BTreeMap<&str, Vec<&Folded<'_>>> = BTreeMap::new();
        let mut periods: BTreeMap<i64, Vec<&Folded<'_>>> = BTreeMap::new();
        let mut both: BTreeMap<(&str, i64), Vec<&Folded<'_>>> = BTreeMap::new();
        for c in &folded {
            channels.entry(c.channel).or_default().push(c);
            if let Some(b) = bucket(c) {
                periods.entry(b).or_default().push(c);
                both.entry((c.channel, b)).or_default().push(c);
            }
        }
        Kpis {
            overall,
            by_channel: channels
                .into_iter()
                .map(|(ch, cs)| figures(cs.into_iter(), Some(ch), None))
                .collect(),
            by_period: periods
                .into_iter()
                .map(|(p, cs)| figures(cs.into_iter(), None, Some(p)))
                .collect(),
            by_channel_and_period: both
                .into_iter()
                .map(|((ch, p), cs)| figures(cs.into_iter(), Some(ch), Some(p)))
                .collect(),
        }
    }

    /// The figures as CSV (RFC 4180), one row per slice with a `scope` column (`all`,
    /// `channel`, `period`, `channel_period`); rates as fractions, times in seconds,
    /// undefined figures as empty cells.
    pub fn to_csv(&self) -> String {
        let mut out = String::from(
            "scope,channel,period_start,conversations,handoffs,handoff_rate,\
             judged_handoffs,handoff_accuracy,replied_handoffs,replies_before_handoff,\
             median_response_s,p90_response_s,known_conversions,conversion_rate,\
             known_outcomes,bot_retention_rate\n",
        );
        for (scope, f) in self.rows() {
            let _ = writeln!(
                out,
                "{scope},{},{},{},{},{},{},{},{},{},{},{},{},{},{},{}",
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
            );
        }
        out
    }

    /// The escalation reasons as CSV: `scope,channel,period_start,intent,rule,handoffs`.
    pub fn reasons_csv(&self) -> String {
        let mut out = String::from("scope,channel,period_start,intent,rule,handoffs\n");
        for (scope, f) in self.rows() {
            for r in &f.reasons {
                let _ = writeln!(
                    out,
                    "{scope},{},{},{},{},{}",
                    csv_field(f.channel.as_deref().unwrap_or("")),
                    opt(f.period_start),
                    csv_field(r.intent.as_deref().unwrap_or("")),
                    csv_field(r.rule.as_deref().unwrap_or("")),
                    r.handoffs
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
    }
}

fn figures<'a, 'b: 'a>(
    conversations: impl Iterator<Item = &'a Folded<'b>>,
    channel: Option<&str>,
    period_start: Option<i64>,
) -> KpiFigures {
    let mut f = KpiFigures {
        channel: channel.map(str::to_string),
        period_start,
        ..KpiFigures::default()
    };
    let (mut judged_right, mut converted, mut retained) = (0, 0, 0);
    let mut times: Vec<i64> = Vec::new();
    let mut reasons: BTreeMap<(Option<&str>, Option<&str>), usize> = BTreeMap::new();
    for c in conversations {
        f.conversations += 1;
        if let Some(h) = c.handoff {
            f.handoffs += 1;
            f.known_outcomes += 1;
            *reasons
                .entry((h.intent.as_deref(), h.rule.as_deref()))
                .or_default() += 1;
            if let Some(v) = c.verdict {
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
    f.handoff_rate = ratio(f.handoffs, f.conversations);
    f.handoff_accuracy = ratio(judged_right, f.judged_handoffs);
    f.conversion_rate = ratio(converted, f.known_conversions);
    f.bot_retention_rate = ratio(retained, f.known_outcomes);
    times.sort_unstable();
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
