//! The pilot report as one self-contained HTML page: inline CSS and SVG, no script,
//! nothing fetched. Every piece of logged text is escaped.

use std::fmt::Write as _;

use super::kpi::{KpiFigures, RESPONSE_BUCKETS_S};
use super::log::{Correction, DecisionRecord};
use super::pilot::PilotReport;
use super::ratio::pct;
use super::svg::{esc, heatmap, histogram, stacked_bars};

/// Labels of the response-time buckets ([`RESPONSE_BUCKETS_S`] and the open one).
const BUCKET_LABELS: [&str; RESPONSE_BUCKETS_S.len() + 1] = [
    "<1m", "1-2m", "2-5m", "5-10m", "10-30m", "30-60m", "1-4h", "4h+",
];

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#111827;
 background:#f3f4f6;margin:0}
main{max-width:1200px;margin:0 auto;padding:24px 28px 48px}
h1{font-size:26px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 6px}
h3{font-size:15px;margin:0 0 8px}
p.sub,p.note{color:#4b5563;margin:2px 0 12px}
.tiles{display:grid;grid-template-columns:repeat(6,1fr);gap:12px;margin:16px 0}
.tile{background:#fff;border-radius:10px;padding:12px 14px;box-shadow:0 1px 2px #0001}
.tile .v{font-size:24px;font-weight:650}.tile .k{color:#4b5563;font-size:12.5px}
.tile .d{color:#6b7280;font-size:12px}
.row{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.card{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px #0001;
 overflow-x:auto}
table{border-collapse:collapse;width:100%;background:#fff;font-size:13px}
th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}
th{background:#f9fafb;font-weight:600;color:#374151}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
.msg{font-style:italic}.muted{color:#6b7280}
.chip{display:inline-block;padding:1px 7px;margin:1px 2px;border-radius:9px;font-size:12px;
 background:#e0e7ff;color:#3730a3}
.chip.red{background:#fee2e2;color:#991b1b}.chip.amber{background:#fef3c7;color:#92400e}
.chip.green{background:#d1fae5;color:#065f46}
.clusters{display:grid;grid-template-columns:1fr 1fr 1fr;gap:12px}
.clusters ul{margin:6px 0 0;padding-left:18px}
dl{display:grid;grid-template-columns:220px 1fr;gap:4px 16px;background:#fff;padding:14px;
 border-radius:10px}dt{font-weight:600}dd{margin:0;color:#374151}
";

impl PilotReport {
    /// The report as one self-contained HTML page (no script, nothing fetched; opens
    /// from disk in any browser). A pure function of the report: the same report gives
    /// the same bytes. Times are shown as UTC dates, reading `at` as Unix seconds.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
             <title>{}</title><style>{STYLE}</style></head><body><main>",
            esc(&format!("{}: pilot report", self.title))
        );
        self.header(&mut out);
        self.tiles(&mut out);
        self.charts(&mut out);
        self.channel_and_team_tables(&mut out);
        self.confusion_and_rules(&mut out);
        self.review_lists(&mut out);
        definitions(&mut out);
        out.push_str("</main></body></html>\n");
        out
    }

    fn header(&self, out: &mut String) {
        let span = self.span.map_or_else(
            || "no records".to_string(),
            |(a, b)| format!("{} to {}", date(a), date(b)),
        );
        let channels: Vec<String> = self
            .kpis
            .by_channel
            .iter()
            .map(|f| channel_name(f.channel.as_deref()))
            .collect();
        let _ = write!(
            out,
            "<h1>{}: pilot report</h1><p class=\"sub\">{} &middot; {} decisions in {} \
             conversations &middot; channels: {}</p>",
            esc(&self.title),
            esc(&span),
            self.records,
            self.kpis.overall.conversations,
            esc(&channels.join(", "))
        );
        if let Some(log) = &self.log {
            let _ = write!(
                out,
                "<p class=\"note\">Log: {} lines, {} records, <b>{} skipped</b>, {} blank.",
                log.lines, log.records, log.skipped, log.blank
            );
            for p in log.problems.iter().take(5) {
                let _ = write!(
                    out,
                    "<br><span class=\"muted\">{}</span>",
                    esc(&p.to_string())
                );
            }
            if log.skipped > 5 {
                let _ = write!(
                    out,
                    "<br><span class=\"muted\">and {} more</span>",
                    log.skipped - 5
                );
            }
            out.push_str("</p>");
        }
    }

    fn tiles(&self, out: &mut String) {
        let f = &self.kpis.overall;
        let tiles = [
            ("Conversations", f.conversations.to_string(), String::new()),
            (
                "Hand-offs",
                f.handoffs.to_string(),
                format!("{} of conversations", pct(f.handoff_rate)),
            ),
            (
                "Hand-off accuracy",
                pct(f.handoff_accuracy),
                format!("{} judged", f.judged_handoffs),
            ),
            (
                "First rep reply",
                secs(f.median_response_s),
                format!("median; p90 {}", secs(f.p90_response_s)),
            ),
            (
                "Lead conversion",
                pct(f.conversion_rate),
                format!("{} hand-offs with an outcome", f.known_conversions),
            ),
            (
                "Bot retention",
                pct(f.bot_retention_rate),
                format!("{} outcomes known", f.known_outcomes),
            ),
        ];
        out.push_str("<div class=\"tiles\">");
        for (k, v, d) in tiles {
            let _ = write!(
                out,
                "<div class=\"tile\"><div class=\"k\">{k}</div><div class=\"v\">{}</div>\
                 <div class=\"d\">{}</div></div>",
                esc(&v),
                esc(&d)
            );
        }
        out.push_str("</div>");
    }

    fn charts(&self, out: &mut String) {
        let teams: Vec<Option<&str>> = self
            .kpis
            .by_period
            .iter()
            .flat_map(|p| p.handoffs_by_team.iter().map(|t| t.team.as_deref()))
            .fold(Vec::new(), |mut acc, t| {
                if !acc.contains(&t) {
                    acc.push(t);
                }
                acc
            });
        let mut teams = teams;
        teams.sort();
        let labels: Vec<String> = self
            .kpis
            .by_period
            .iter()
            .map(|p| p.period_start.map_or_else(String::new, day_label))
            .collect();
        let values: Vec<Vec<usize>> = self
            .kpis
            .by_period
            .iter()
            .map(|p| {
                teams
                    .iter()
                    .map(|t| {
                        p.handoffs_by_team
                            .iter()
                            .find(|c| c.team.as_deref() == *t)
                            .map_or(0, |c| c.handoffs)
                    })
                    .collect()
            })
            .collect();
        let names: Vec<String> = teams
            .iter()
            .map(|t| t.unwrap_or("(no team)").to_string())
            .collect();
        let f = &self.kpis.overall;
        let counts = if f.response_histogram.is_empty() {
            vec![0; BUCKET_LABELS.len()]
        } else {
            f.response_histogram.clone()
        };
        let _ = write!(
            out,
            "<div class=\"row\"><div class=\"card\"><h3>Hand-offs per day, by team</h3>{}</div>\
             <div class=\"card\"><h3>Time from hand-off to first rep reply</h3>{}\
             <p class=\"note\">{} replied hand-offs &middot; median {} &middot; p90 {}{}</p>\
             </div></div>",
            if labels.is_empty() {
                "<p class=\"muted\">No periods (set a period length).</p>".to_string()
            } else {
                stacked_bars("Hand-offs per day", &labels, &names, &values)
            },
            histogram("Reply times", &BUCKET_LABELS, &counts),
            f.replied_handoffs,
            secs(f.median_response_s),
            secs(f.p90_response_s),
            if f.replies_before_handoff > 0 {
                format!(
                    " &middot; {} replies logged before their hand-off left out",
                    f.replies_before_handoff
                )
            } else {
                String::new()
            }
        );
    }

    fn channel_and_team_tables(&self, out: &mut String) {
        out.push_str("<h2 id=\"slices\">By channel</h2><div class=\"card\">");
        channel_table(out, &self.kpis.by_channel);
        out.push_str("</div><h2 id=\"teams\">By team</h2><div class=\"card\">");
        team_table(out, &self.kpis.by_team);
        out.push_str("</div>");
    }

    fn confusion_and_rules(&self, out: &mut String) {
        out.push_str(
            "<h2 id=\"intents\">Intents: what the bot said and what people say</h2>\
             <div class=\"row\"><div class=\"card\">",
        );
        if self.confusion.is_empty() {
            out.push_str(
                "<h3>Confusions</h3><p class=\"muted\">No corrections or confirmed \
                 hand-offs logged yet.</p>",
            );
        } else {
            let mut labels: Vec<Option<&str>> = Vec::new();
            for c in &self.confusion {
                for l in [c.said.as_deref(), c.truth.as_deref()] {
                    if !labels.contains(&l) {
                        labels.push(l);
                    }
                }
            }
            labels.sort();
            let names: Vec<String> = labels.iter().map(|l| intent_name(*l)).collect();
            let cell = |r: usize, c: usize| {
                self.confusion
                    .iter()
                    .find(|x| x.said.as_deref() == labels[r] && x.truth.as_deref() == labels[c])
                    .map_or(0, |x| x.records)
            };
            let wrong: usize = self
                .confusion
                .iter()
                .filter(|c| c.said != c.truth)
                .map(|c| c.records)
                .sum();
            let _ = write!(
                out,
                "<h3>Confusions (rows: the bot said; columns: a person says)</h3>{}\
                 <p class=\"note\">{wrong} corrected, green: confirmed.</p>",
                heatmap("Intent confusions", &names, cell)
            );
        }
        out.push_str(
            "</div><div class=\"card\"><h3>Rules that decided</h3><table><tr>\
            <th>Rule</th><th class=\"n\">Decisions</th><th class=\"n\">Hand-offs</th>\
            <th class=\"n\">Judged wrong</th></tr>",
        );
        for r in self.rules.iter().take(16) {
            let _ = write!(
                out,
                "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
                 <td class=\"n\">{}</td></tr>",
                esc(r.rule.as_deref().unwrap_or("(default route)")),
                r.decisions,
                r.handoffs,
                r.wrong_handoffs
            );
        }
        out.push_str("</table></div></div>");
    }

    fn review_lists(&self, out: &mut String) {
        self.misroutes(out);
        self.labelling_queue(out);
        self.unknown_clusters(out);
        self.phrases_to_add(out);
    }

    /// The misroutes found, by kind, and each one.
    fn misroutes(&self, out: &mut String) {
        let r = &self.review;
        let _ = write!(
            out,
            "<h2 id=\"misroutes\">Misroutes</h2><p class=\"sub\">{}</p>",
            if r.misroute_counts.is_empty() {
                "None found.".to_string()
            } else {
                r.misroute_counts
                    .iter()
                    .map(|c| format!("{}: {}", c.kind.describe(), c.records))
                    .collect::<Vec<_>>()
                    .join(" · ")
            }
        );
        if !r.misroutes.is_empty() {
            out.push_str(
                "<table><tr><th>What</th><th>Message</th><th>Went to</th><th>Should go to</th>\
                 <th>Rule</th><th>Bot said</th><th>Conversation</th><th class=\"n\">Seen</th></tr>",
            );
            for m in &r.misroutes {
                let _ = write!(
                    out,
                    "<tr><td><span class=\"chip red\">{}</span></td><td>{}</td><td>{}</td>\
                     <td>{}</td><td>{}</td><td>{}</td><td class=\"muted\">{}</td>\
                     <td class=\"n\">{}</td></tr>",
                    m.kind.describe(),
                    message(&m.record),
                    esc(m.record.team.as_deref().unwrap_or("bot")),
                    esc(m.should_go_to.as_deref().unwrap_or("bot")),
                    rule(&m.record),
                    said(&m.record),
                    esc(&m.record.conversation),
                    m.occurrences
                );
            }
            out.push_str("</table>");
        }
    }

    /// What to label next, most instructive first.
    fn labelling_queue(&self, out: &mut String) {
        let r = &self.review;
        let _ = write!(
            out,
            "<h2 id=\"label\">What to label next</h2><p class=\"sub\">{} of {} messages qualified; \
             the most instructive, repeats merged.</p>",
            r.label_records, r.messages
        );
        if !r.to_label.is_empty() {
            out.push_str(
                "<table><tr><th>Message</th><th>Why</th><th>Bot said</th><th>Runner-up</th>\
                 <th>Keywords</th><th>Rule</th><th>Correction</th><th class=\"n\">Seen</th></tr>",
            );
            for c in &r.to_label {
                let why: String = c
                    .reasons
                    .iter()
                    .map(|w| format!("<span class=\"chip amber\">{}</span>", w.describe()))
                    .collect();
                let rec = &c.record;
                let runner = match (&rec.runner_up, rec.runner_up_confidence) {
                    (Some(i), Some(p)) => format!("{} ({p:.2})", esc(i)),
                    _ => String::new(),
                };
                let keywords: Vec<String> = rec
                    .keywords
                    .iter()
                    .map(|k| {
                        let neg = if k.negated { "not " } else { "" };
                        format!("{neg}{} &rarr; {}", esc(&k.keyword), esc(&k.intent))
                    })
                    .collect();
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td>{why}</td><td>{}</td><td>{runner}</td><td>{}</td>\
                     <td>{}</td><td>{}</td><td class=\"n\">{}</td></tr>",
                    message(rec),
                    said(rec),
                    keywords.join(", "),
                    rule(rec),
                    correction(rec.correction.as_ref()),
                    c.occurrences
                );
            }
            out.push_str("</table>");
        }
    }

    /// The clusters of messages with no intent (the first twelve in full).
    fn unknown_clusters(&self, out: &mut String) {
        let r = &self.review;
        let _ = write!(
            out,
            "<h2 id=\"unknown\">What the bot does not know</h2><p class=\"sub\">{} messages had no intent; \
             {} in the clusters below, {} in smaller groups or without a content word.</p>",
            r.unknown_messages,
            r.unknown_messages - r.unclustered,
            r.unclustered
        );
        out.push_str("<div class=\"clusters\">");
        for c in r.unknown.iter().take(12) {
            let words: String = c
                .words
                .iter()
                .map(|w| format!("<span class=\"chip\">{}</span>", esc(w)))
                .collect();
            let _ = write!(
                out,
                "<div class=\"card\"><h3>{} messages</h3>{words}<ul>",
                c.size
            );
            for rep in &c.representatives {
                let _ = write!(out, "<li class=\"msg\">{}</li>", esc(&rep.text));
            }
            out.push_str("</ul></div>");
        }
        out.push_str("</div>");
        if r.unknown.len() > 12 {
            let _ = write!(
                out,
                "<p class=\"note\">and {} smaller clusters.</p>",
                r.unknown.len() - 12
            );
        }
    }

    /// Confident messages unlike any phrase of their intent.
    fn phrases_to_add(&self, out: &mut String) {
        let r = &self.review;
        out.push_str(
            "<h2 id=\"phrases\">Phrases to add</h2><p class=\"sub\">Confident, unchallenged messages unlike \
             any phrase of their intent: adding them teaches the intent new wording.</p>",
        );
        if !r.phrases_to_add.is_empty() {
            out.push_str(
                "<table><tr><th>Message</th><th>Intent</th><th class=\"n\">Confidence</th>\
                 <th>Nearest phrase</th><th class=\"n\">Similarity</th><th class=\"n\">Seen</th>\
                 </tr>",
            );
            for p in &r.phrases_to_add {
                let _ = write!(
                    out,
                    "<tr><td>{}</td><td><span class=\"chip green\">{}</span></td>\
                     <td class=\"n\">{}</td><td class=\"muted\">{}</td><td class=\"n\">{:.2}</td>\
                     <td class=\"n\">{}</td></tr>",
                    message(&p.record),
                    esc(p.record.intent.as_deref().unwrap_or("")),
                    p.record
                        .confidence
                        .map_or_else(String::new, |c| format!("{c:.2}")),
                    esc(&p.nearest_phrase),
                    p.similarity,
                    p.occurrences
                );
            }
            out.push_str("</table>");
        }
    }
}

fn channel_table(out: &mut String, rows: &[KpiFigures]) {
    out.push_str(
        "<table><tr><th>Channel</th><th class=\"n\">Conversations</th>\
         <th class=\"n\">Hand-offs</th><th class=\"n\">Hand-off rate</th>\
         <th class=\"n\">Accuracy</th><th class=\"n\">Median reply</th>\
         <th class=\"n\">p90 reply</th><th class=\"n\">Conversion</th>\
         <th class=\"n\">Bot retention</th></tr>",
    );
    for f in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(&channel_name(f.channel.as_deref())),
            f.conversations,
            f.handoffs,
            pct(f.handoff_rate),
            pct(f.handoff_accuracy),
            secs(f.median_response_s),
            secs(f.p90_response_s),
            pct(f.conversion_rate),
            pct(f.bot_retention_rate)
        );
    }
    out.push_str("</table>");
}

/// Teams only see hand-offs: no rate or retention.
fn team_table(out: &mut String, rows: &[KpiFigures]) {
    out.push_str(
        "<table><tr><th>Team</th><th class=\"n\">Hand-offs</th><th class=\"n\">Judged</th>\
         <th class=\"n\">Accuracy</th><th class=\"n\">Replied</th>\
         <th class=\"n\">Median reply</th><th class=\"n\">p90 reply</th>\
         <th class=\"n\">Outcome known</th><th class=\"n\">Conversion</th></tr>",
    );
    for f in rows {
        let _ = write!(
            out,
            "<tr><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td>\
             <td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
            esc(f.team.as_deref().unwrap_or("")),
            f.handoffs,
            f.judged_handoffs,
            pct(f.handoff_accuracy),
            f.replied_handoffs,
            secs(f.median_response_s),
            secs(f.p90_response_s),
            f.known_conversions,
            pct(f.conversion_rate)
        );
    }
    out.push_str("</table>");
}

fn definitions(out: &mut String) {
    out.push_str(
        "<h2 id=\"definitions\">Definitions</h2><dl>\
         <dt>Conversation</dt><dd>The records sharing a conversation id; its channel and day \
         are those of its first record, and it is in the report when that record is in the \
         window.</dd>\
         <dt>Hand-off</dt><dd>A conversation with at least one decision routed to a team; \
         the first such decision gives its time, team, intent and rule.</dd>\
         <dt>Hand-off accuracy</dt><dd>Of hand-offs with a verdict (the rep's, or a \
         correction naming another team, &ldquo;not a lead&rdquo; or &ldquo;the bot&rdquo;), \
         the share judged right.</dd>\
         <dt>First rep reply</dt><dd>Time from the hand-off to the earliest logged rep \
         reply; median and 90th percentile by nearest rank.</dd>\
         <dt>Lead conversion</dt><dd>Of handed-off conversations with a known outcome, the \
         share that converted.</dd>\
         <dt>Bot retention</dt><dd>Of conversations with a known outcome (handed off, or \
         marked completed or not), the share completed with the bot and never handed \
         off.</dd></dl>",
    );
}

fn message(r: &DecisionRecord) -> String {
    if let Some(slot) = &r.answered {
        format!(
            "<span class=\"muted\">answer to {}:</span> <span class=\"msg\">{}</span>",
            esc(slot),
            esc(&r.text)
        )
    } else if r.text.is_empty() {
        r.button.as_deref().map_or_else(String::new, |b| {
            format!("<span class=\"muted\">button</span> {}", esc(b))
        })
    } else {
        format!("<span class=\"msg\">{}</span>", esc(&r.text))
    }
}

fn said(r: &DecisionRecord) -> String {
    let conf = r
        .confidence
        .map_or_else(String::new, |c| format!(" ({c:.2})"));
    match (&r.intent, &r.candidate) {
        (Some(i), _) => format!("{}{conf}", esc(i)),
        (None, Some(c)) => format!("<span class=\"muted\">none; best {}{conf}</span>", esc(c)),
        (None, None) => "<span class=\"muted\">none</span>".to_string(),
    }
}

fn rule(r: &DecisionRecord) -> String {
    r.rule.as_deref().map_or_else(
        || "<span class=\"muted\">default</span>".to_string(),
        |rule| format!("<code>{}</code>", esc(rule)),
    )
}

fn correction(c: Option<&Correction>) -> String {
    match c {
        None => String::new(),
        Some(Correction::Intent(i)) => format!("intent {}", esc(i)),
        Some(Correction::NoIntent) => "no intent".to_string(),
        Some(Correction::Team(t)) => format!("team {}", esc(t)),
        Some(Correction::Bot) => "the bot".to_string(),
        Some(Correction::NotALead) => "not a lead".to_string(),
    }
}

fn intent_name(i: Option<&str>) -> String {
    i.unwrap_or("(no intent)").to_string()
}

fn channel_name(c: Option<&str>) -> String {
    match c {
        Some("") | None => "(none)".to_string(),
        Some(c) => c.to_string(),
    }
}

/// A duration in seconds for people: `45 s`, `3.5 min`, `2.1 h`, `-` when unknown.
fn secs(s: Option<i64>) -> String {
    match s {
        None => "-".to_string(),
        Some(s) if s < 60 => format!("{s} s"),
        Some(s) if s < 3_600 => format!("{:.1} min", s as f64 / 60.0),
        Some(s) => format!("{:.1} h", s as f64 / 3_600.0),
    }
}

/// Year, month and day (UTC) of a Unix timestamp (H. Hinnant's civil-from-days).
fn civil(ts: i64) -> (i64, u32, u32) {
    let z = ts.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

fn weekday(ts: i64) -> &'static str {
    // 1970-01-01 was a Thursday.
    ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][ts.div_euclid(86_400).rem_euclid(7) as usize]
}

fn date(ts: i64) -> String {
    let (y, m, d) = civil(ts);
    format!("{} {y}-{m:02}-{d:02}", weekday(ts))
}

fn day_label(ts: i64) -> String {
    let (_, m, d) = civil(ts);
    format!("{} {m:02}-{d:02}", weekday(ts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates_match_known_days() {
        assert_eq!(civil(0), (1970, 1, 1));
        assert_eq!(civil(951_782_400), (2000, 2, 29));
        assert_eq!(civil(1_700_000_000), (2023, 11, 14));
        assert_eq!(civil(-86_400), (1969, 12, 31));
        assert_eq!(weekday(1_700_000_000), "Tue");
        assert_eq!(weekday(-1), "Wed");
        // Extremes must not panic.
        let _ = date(i64::MIN);
        let _ = date(i64::MAX);
    }

    #[test]
    fn durations_read_well() {
        assert_eq!(secs(None), "-");
        assert_eq!(secs(Some(45)), "45 s");
        assert_eq!(secs(Some(210)), "3.5 min");
        assert_eq!(secs(Some(7_560)), "2.1 h");
    }
}
