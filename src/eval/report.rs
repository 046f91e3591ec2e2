//! The accuracy report: [`Evaluation`] over labelled detections.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::intent::{Detection, IntentModel};

use super::ratio::{pct, ratio};

/// Default target accuracy per intent (the "add examples below 80%" rule of thumb).
pub const DEFAULT_TARGET_ACCURACY: f64 = 0.8;

/// How many example messages a [`Confusion`] keeps.
const EXAMPLES_PER_CONFUSION: usize = 3;

/// One scored message as kept by an [`Evaluation`]: label indexes into its label table.
#[derive(Clone, Debug, PartialEq)]
struct Record {
    expected: Option<u32>,
    predicted: Option<u32>,
    best: Option<u32>,
    confidence: f32,
    /// Whether the detection flagged its best two as too close to call.
    ambiguous: bool,
    text: Option<Arc<str>>,
}

/// An accuracy report over labelled messages: overall, in-scope and out-of-scope
/// figures, per-intent precision / recall / F1, the most frequent confusions, the
/// intents below a target accuracy, and a threshold sweep.
///
/// A label of `None` means "no intent should be detected" (out of scope). A message
/// counts as right when the detection's `intent` equals the label (`None` included).
/// Every rate is a fraction in `[0, 1]`, or `None` when it is undefined (no messages
/// to divide by); never NaN.
///
/// Built from `(label, detection)` pairs without re-running the model
/// ([`Evaluation::from_detections`], [`Evaluation::from_examples`] when the texts
/// should appear as confusion examples), or by [`Evaluation::run`]. `Display` renders
/// the human-readable report.
///
/// Complexity: building is `O(n log n)` for `n` messages (sorting confusions and
/// labels); the sweep and threshold suggestion are `O(n log n)`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Evaluation {
    /// Messages evaluated.
    pub examples: usize,
    /// Messages labelled with an intent.
    pub in_scope: usize,
    /// Messages labelled "no intent".
    pub out_of_scope: usize,
    /// Share of all messages whose detected intent (or none) equals the label.
    pub overall_accuracy: Option<f64>,
    /// Share of in-scope messages detected as their intent.
    pub in_scope_accuracy: Option<f64>,
    /// Share of in-scope messages whose best candidate is their intent, whatever its
    /// confidence (the accuracy with no threshold).
    pub top1_accuracy: Option<f64>,
    /// Share of out-of-scope messages detected as no intent.
    pub oos_recall: Option<f64>,
    /// Share of "no intent" detections that were out of scope.
    pub oos_precision: Option<f64>,
    /// Mean F1 over the intents with in-scope messages.
    pub macro_f1: Option<f64>,
    /// How the in-scope messages flagged as ambiguous fared against the rest: the
    /// check that the model's ambiguity margin flags the close calls.
    pub ambiguity: AmbiguityReport,
    /// Per intent (every label expected or predicted), sorted by id.
    pub intents: Vec<IntentReport>,
    /// Every (expected, predicted) pair that differs, most frequent first.
    pub confusions: Vec<Confusion>,
    /// The target accuracy used by `Display` and [`Evaluation::below_target`]'s
    /// default: see [`Evaluation::with_target_accuracy`].
    pub target_accuracy: f64,
    #[serde(skip)]
    labels: Vec<Arc<str>>,
    #[serde(skip)]
    records: Vec<Record>,
}

/// Figures for one intent.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct IntentReport {
    /// The intent id.
    pub intent: String,
    /// Messages labelled with this intent.
    pub support: usize,
    /// Messages detected as this intent.
    pub predicted: usize,
    /// Messages labelled and detected as this intent.
    pub correct: usize,
    /// `correct / predicted`; `None` when never predicted.
    pub precision: Option<f64>,
    /// `correct / support`, the intent's accuracy; `None` without support.
    pub recall: Option<f64>,
    /// `2·correct / (support + predicted)`; `None` when both are zero.
    pub f1: Option<f64>,
    /// What its messages were taken for instead (`None`: no intent), most often first.
    pub mistaken_for: Vec<LabelCount>,
}

/// A label and a count.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LabelCount {
    /// The intent id, `None` for "no intent".
    pub label: Option<String>,
    /// How many messages.
    pub count: usize,
}

/// Messages labelled `expected` but detected as `predicted`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Confusion {
    /// The label (`None`: no intent).
    pub expected: Option<String>,
    /// What was detected (`None`: no intent).
    pub predicted: Option<String>,
    /// How many messages.
    pub count: usize,
    /// Up to three of the messages, in input order (when texts were given).
    pub examples: Vec<String>,
}

/// In-scope accuracy and out-of-scope recall at one threshold.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct SweepPoint {
    /// A detection is accepted when its confidence is at least this.
    pub threshold: f32,
    /// Share of in-scope messages accepted with the right best candidate.
    pub in_scope_accuracy: Option<f64>,
    /// Share of out-of-scope messages rejected.
    pub oos_recall: Option<f64>,
    /// Share of all messages right.
    pub overall_accuracy: Option<f64>,
}

/// What a suggested threshold should optimize.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "goal", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum ThresholdGoal {
    /// The highest out-of-scope recall while in-scope accuracy stays at least
    /// `min_accuracy` (ties: the higher accuracy, then the lower threshold). Without
    /// out-of-scope messages: the highest threshold that keeps the accuracy.
    MinInScopeAccuracy {
        /// The accuracy floor, a fraction.
        min_accuracy: f64,
    },
    /// The largest in-scope accuracy plus out-of-scope recall (ties: the lower
    /// threshold). Needs both kinds of messages.
    Balanced,
}

/// (expected, predicted) label indexes.
type LabelPair = (Option<u32>, Option<u32>);

/// Accumulates records, interning labels.
#[derive(Default)]
struct Tally {
    ids: BTreeMap<Arc<str>, u32>,
    labels: Vec<Arc<str>>,
    records: Vec<Record>,
}

impl Tally {
    fn label(&mut self, id: &str) -> u32 {
        if let Some(&i) = self.ids.get(id) {
            return i;
        }
        let arc: Arc<str> = Arc::from(id);
        let i = self.labels.len() as u32;
        self.labels.push(arc.clone());
        self.ids.insert(arc, i);
        i
    }

    fn add(&mut self, text: Option<&str>, expected: Option<&str>, detection: &Detection) {
        let record = Record {
            expected: expected.map(|e| self.label(e)),
            predicted: detection.intent_id().map(|p| self.label(p)),
            best: detection.best_candidate().map(|b| self.label(b)),
            // The contract is [0, 1]; a stray NaN must not poison sorting.
            confidence: if detection.confidence.is_nan() {
                0.0
            } else {
                detection.confidence.clamp(0.0, 1.0)
            },
            ambiguous: detection.ambiguous.is_some(),
            text: text.map(Arc::from),
        };
        self.records.push(record);
    }
}

/// In-scope messages flagged as ambiguous ([`Detection::ambiguous`]) against the rest:
/// a useful margin flags few messages, and those are the ones whose best candidate is
/// often wrong.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AmbiguityReport {
    /// In-scope messages flagged as ambiguous.
    pub flagged: usize,
    /// Share of the flagged messages whose best candidate is their intent.
    pub flagged_top1: Option<f64>,
    /// Share of the other in-scope messages whose best candidate is their intent.
    pub clear_top1: Option<f64>,
}

impl AmbiguityReport {
    fn of(records: &[Record]) -> AmbiguityReport {
        let (mut flagged, mut flagged_right, mut clear, mut clear_right) = (0, 0, 0, 0);
        for r in records.iter().filter(|r| r.expected.is_some()) {
            let right = usize::from(r.best == r.expected);
            if r.ambiguous {
                flagged += 1;
                flagged_right += right;
            } else {
                clear += 1;
                clear_right += right;
            }
        }
        AmbiguityReport {
            flagged,
            flagged_top1: ratio(flagged_right, flagged),
            clear_top1: ratio(clear_right, clear),
        }
    }
}

impl Evaluation {
    /// A report from `(label, detection)` pairs (`None`: no intent expected).
    pub fn from_detections<'a, I>(pairs: I) -> Evaluation
    where
        I: IntoIterator<Item = (Option<&'a str>, &'a Detection)>,
    {
        let mut tally = Tally::default();
        for (expected, detection) in pairs {
            tally.add(None, expected, detection);
        }
        Evaluation::from_tally(tally)
    }

    /// A report from `(text, label, detection)` triples; the texts appear as examples
    /// of confusions.
    pub fn from_examples<'a, I>(triples: I) -> Evaluation
    where
        I: IntoIterator<Item = (&'a str, Option<&'a str>, &'a Detection)>,
    {
        let mut tally = Tally::default();
        for (text, expected, detection) in triples {
            tally.add(Some(text), expected, detection);
        }
        Evaluation::from_tally(tally)
    }

    /// Detects every `(text, label)` example with `model` and reports.
    pub fn run<I, T, L>(model: &IntentModel, examples: I) -> Evaluation
    where
        I: IntoIterator<Item = (T, Option<L>)>,
        T: AsRef<str>,
        L: AsRef<str>,
    {
        let mut tally = Tally::default();
        for (text, label) in examples {
            let text = text.as_ref();
            let detection = model.detect(text);
            tally.add(Some(text), label.as_ref().map(AsRef::as_ref), &detection);
        }
        Evaluation::from_tally(tally)
    }

    /// Merges reports (such as cross-validation folds): the same as one report over
    /// all their messages, in order.
    pub fn merge<'a, I: IntoIterator<Item = &'a Evaluation>>(parts: I) -> Evaluation {
        let mut tally = Tally::default();
        let mut target = None;
        for part in parts {
            target.get_or_insert(part.target_accuracy);
            for r in &part.records {
                let map = |i: Option<u32>, tally: &mut Tally| {
                    i.map(|i| tally.label(&part.labels[i as usize]))
                };
                let record = Record {
                    expected: map(r.expected, &mut tally),
                    predicted: map(r.predicted, &mut tally),
                    best: map(r.best, &mut tally),
                    confidence: r.confidence,
                    ambiguous: r.ambiguous,
                    text: r.text.clone(),
                };
                tally.records.push(record);
            }
        }
        Evaluation::from_tally(tally)
            .with_target_accuracy(target.unwrap_or(DEFAULT_TARGET_ACCURACY))
    }

    /// Sets the target accuracy (a fraction; default 0.8) used by `Display` to list
    /// the intents below it. Values outside `[0, 1]` (or NaN) are clamped (0).
    pub fn with_target_accuracy(mut self, target: f64) -> Evaluation {
        self.target_accuracy = if target.is_nan() {
            0.0
        } else {
            target.clamp(0.0, 1.0)
        };
        self
    }

    fn from_tally(tally: Tally) -> Evaluation {
        let Tally {
            labels, records, ..
        } = tally;
        let n = labels.len();
        let (mut in_scope, mut in_right, mut top1) = (0usize, 0usize, 0usize);
        let (mut oos, mut oos_right, mut predicted_none) = (0usize, 0usize, 0usize);
        let mut support = vec![0usize; n];
        let mut predicted = vec![0usize; n];
        let mut correct = vec![0usize; n];
        let mut mistaken: Vec<BTreeMap<Option<u32>, usize>> = vec![BTreeMap::new(); n];
        let mut confusions: BTreeMap<LabelPair, (usize, Vec<String>)> = BTreeMap::new();
        for r in &records {
            match r.expected {
                Some(e) => {
                    in_scope += 1;
                    support[e as usize] += 1;
                    in_right += usize::from(r.predicted == Some(e));
                    top1 += usize::from(r.best == Some(e));
                }
                None => {
                    oos += 1;
                    oos_right += usize::from(r.predicted.is_none());
                }
            }
            match r.predicted {
                Some(p) => predicted[p as usize] += 1,
                None => predicted_none += 1,
            }
            if r.predicted == r.expected {
                if let Some(e) = r.expected {
                    correct[e as usize] += 1;
                }
                continue;
            }
            if let Some(e) = r.expected {
                *mistaken[e as usize].entry(r.predicted).or_default() += 1;
            }
            let entry = confusions.entry((r.expected, r.predicted)).or_default();
            entry.0 += 1;
            if entry.1.len() < EXAMPLES_PER_CONFUSION {
                if let Some(t) = &r.text {
                    entry.1.push(t.to_string());
                }
            }
        }
        let name = |i: Option<u32>| i.map(|i| labels[i as usize].to_string());
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
        let intents: Vec<IntentReport> = order
            .iter()
            .map(|&i| {
                let mut mistaken_for: Vec<LabelCount> = mistaken[i]
                    .iter()
                    .map(|(&label, &count)| LabelCount {
                        label: name(label),
                        count,
                    })
                    .collect();
                mistaken_for.sort_by(|a, b| b.count.cmp(&a.count).then(a.label.cmp(&b.label)));
                IntentReport {
                    intent: labels[i].to_string(),
                    support: support[i],
                    predicted: predicted[i],
                    correct: correct[i],
                    precision: ratio(correct[i], predicted[i]),
                    recall: ratio(correct[i], support[i]),
                    f1: ratio(2 * correct[i], support[i] + predicted[i]),
                    mistaken_for,
                }
            })
            .collect();
        let f1s: Vec<f64> = intents
            .iter()
            .filter(|r| r.support > 0)
            .filter_map(|r| r.f1)
            .collect();
        let macro_f1 = (!f1s.is_empty()).then(|| f1s.iter().sum::<f64>() / f1s.len() as f64);
        let mut confusions: Vec<Confusion> = confusions
            .into_iter()
            .map(|((e, p), (count, examples))| Confusion {
                expected: name(e),
                predicted: name(p),
                count,
                examples,
            })
            .collect();
        confusions.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.expected.cmp(&b.expected))
                .then_with(|| a.predicted.cmp(&b.predicted))
        });
        let oos_rejected_right = oos_right;
        Evaluation {
            examples: records.len(),
            in_scope,
            out_of_scope: oos,
            overall_accuracy: ratio(in_right + oos_right, records.len()),
            in_scope_accuracy: ratio(in_right, in_scope),
            top1_accuracy: ratio(top1, in_scope),
            oos_recall: ratio(oos_right, oos),
            oos_precision: ratio(oos_rejected_right, predicted_none),
            macro_f1,
            ambiguity: AmbiguityReport::of(&records),
            intents,
            confusions,
            target_accuracy: DEFAULT_TARGET_ACCURACY,
            labels,
            records,
        }
    }

    /// The report for one intent.
    pub fn intent(&self, id: &str) -> Option<&IntentReport> {
        self.intents
            .binary_search_by(|r| r.intent.as_str().cmp(id))
            .ok()
            .map(|i| &self.intents[i])
    }

    /// Intents with messages whose accuracy (recall) is below `target` (a fraction),
    /// worst first: the ones to give more (or more distinctive) example phrases.
    pub fn below_target(&self, target: f64) -> Vec<&IntentReport> {
        let mut out: Vec<&IntentReport> = self
            .intents
            .iter()
            .filter(|r| r.recall.is_some_and(|a| a < target))
            .collect();
        out.sort_by(|a, b| {
            a.recall
                .unwrap_or(0.0)
                .total_cmp(&b.recall.unwrap_or(0.0))
                .then_with(|| a.intent.cmp(&b.intent))
        });
        out
    }

    /// The messages that were wrong: `(text, expected, predicted, confidence)`, in
    /// input order (`text` is `None` when the report was built without texts).
    pub fn mistakes(
        &self,
    ) -> impl Iterator<Item = (Option<&str>, Option<&str>, Option<&str>, f32)> + '_ {
        let name = move |i: Option<u32>| i.map(|i| &*self.labels[i as usize]);
        self.records
            .iter()
            .filter(|r| r.expected != r.predicted)
            .map(move |r| {
                (
                    r.text.as_deref(),
                    name(r.expected),
                    name(r.predicted),
                    r.confidence,
                )
            })
    }

    /// The figures when detections with confidence below `threshold` are rejected (and
    /// the best candidate is taken otherwise). `O(n)`.
    pub fn at_threshold(&self, threshold: f32) -> SweepPoint {
        let (mut ins, mut ins_ok, mut oos, mut oos_ok) = (0, 0, 0, 0);
        for r in &self.records {
            let accepted = r.best.is_some() && r.confidence >= threshold;
            match r.expected {
                Some(e) => {
                    ins += 1;
                    ins_ok += usize::from(accepted && r.best == Some(e));
                }
                None => {
                    oos += 1;
                    oos_ok += usize::from(!accepted);
                }
            }
        }
        SweepPoint {
            threshold,
            in_scope_accuracy: ratio(ins_ok, ins),
            oos_recall: ratio(oos_ok, oos),
            overall_accuracy: ratio(ins_ok + oos_ok, ins + oos),
        }
    }

    /// [`at_threshold`](Evaluation::at_threshold) at `steps + 1` evenly spaced
    /// thresholds from 0 to 1 (`steps` of 0 is taken as 1). `O(steps · n)`.
    pub fn sweep(&self, steps: usize) -> Vec<SweepPoint> {
        let steps = steps.max(1);
        (0..=steps)
            .map(|i| self.at_threshold(i as f32 / steps as f32))
            .collect()
    }

    /// Every distinct operating point: the figures at threshold 0 and between each
    /// pair of adjacent distinct confidences (and above the highest one when it is
    /// below 1). `O(n log n)`.
    pub fn operating_points(&self) -> Vec<SweepPoint> {
        let mut points: Vec<(f32, bool, bool)> = self
            .records
            .iter()
            .map(|r| {
                // Records without a candidate are rejected at any threshold.
                let conf = if r.best.is_some() {
                    r.confidence
                } else {
                    f32::NEG_INFINITY
                };
                (
                    conf,
                    r.expected.is_none(),
                    r.expected.is_some() && r.best == r.expected,
                )
            })
            .collect();
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let ins = points.iter().filter(|p| !p.1).count();
        let oos = points.len() - ins;
        let mut right = points.iter().filter(|p| p.2).count();
        let mut rejected = points
            .iter()
            .filter(|p| p.1 && p.0 == f32::NEG_INFINITY)
            .count();
        let point = |t: f32, right: usize, rejected: usize| SweepPoint {
            threshold: t,
            in_scope_accuracy: ratio(right, ins),
            oos_recall: ratio(rejected, oos),
            overall_accuracy: ratio(right + rejected, ins + oos),
        };
        let mut out = vec![point(0.0, right, rejected)];
        let mut i = 0;
        while i < points.len() {
            let level = points[i].0;
            while i < points.len() && points[i].0 == level {
                if level != f32::NEG_INFINITY {
                    if points[i].1 {
                        rejected += 1;
                    } else if points[i].2 {
                        right -= 1;
                    }
                }
                i += 1;
            }
            if level == f32::NEG_INFINITY {
                continue;
            }
            let t = match points.get(i) {
                Some(next) => level + (next.0 - level) / 2.0,
                None if level < 1.0 => level + (1.0 - level) / 2.0,
                None => continue,
            };
            // Midpoints of nearly equal floats can round onto `level`.
            if t > level && t <= 1.0 {
                out.push(point(t, right, rejected));
            }
        }
        out
    }

    /// The threshold that best meets `goal` over all operating points, with its
    /// figures; `None` when no threshold qualifies (no in-scope messages, an accuracy
    /// floor never met, or `Balanced` without out-of-scope messages).
    pub fn suggest_threshold(&self, goal: ThresholdGoal) -> Option<SweepPoint> {
        let points = self.operating_points();
        let mut best: Option<SweepPoint> = None;
        for p in points {
            let acc = p.in_scope_accuracy?;
            let better = match goal {
                ThresholdGoal::MinInScopeAccuracy { min_accuracy } => {
                    if acc + 1e-12 < min_accuracy {
                        continue;
                    }
                    match (best, p.oos_recall) {
                        (None, _) => true,
                        (Some(b), Some(r)) => {
                            let br = b.oos_recall.unwrap_or(0.0);
                            r > br || (r == br && acc > b.in_scope_accuracy.unwrap_or(0.0))
                        }
                        // No out-of-scope messages: the highest threshold in budget.
                        (Some(b), None) => p.threshold > b.threshold,
                    }
                }
                ThresholdGoal::Balanced => {
                    let r = p.oos_recall?;
                    match best {
                        None => true,
                        Some(b) => {
                            acc + r
                                > b.in_scope_accuracy.unwrap_or(0.0) + b.oos_recall.unwrap_or(0.0)
                        }
                    }
                }
            };
            if better {
                best = Some(p);
            }
        }
        best
    }
}

impl fmt::Display for Evaluation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "{} messages ({} in scope, {} out of scope)",
            self.examples, self.in_scope, self.out_of_scope
        )?;
        writeln!(
            f,
            "overall accuracy {}  in-scope accuracy {}  top-1 {}  out-of-scope recall {}  macro F1 {}",
            pct(self.overall_accuracy),
            pct(self.in_scope_accuracy),
            pct(self.top1_accuracy),
            pct(self.oos_recall),
            pct(self.macro_f1)
        )?;
        let a = &self.ambiguity;
        writeln!(
            f,
            "ambiguous: {} in-scope messages flagged, best candidate right on {} of them and {} of the rest",
            a.flagged,
            pct(a.flagged_top1),
            pct(a.clear_top1)
        )?;
        if !self.intents.is_empty() {
            let width = self
                .intents
                .iter()
                .map(|r| r.intent.chars().count())
                .max()
                .unwrap_or(6)
                .max(6);
            writeln!(
                f,
                "\n{:<width$}  {:>9}  {:>7}  {:>7}  {:>7}",
                "intent", "precision", "recall", "f1", "support"
            )?;
            for r in &self.intents {
                writeln!(
                    f,
                    "{:<width$}  {:>9}  {:>7}  {:>7}  {:>7}",
                    r.intent,
                    pct(r.precision),
                    pct(r.recall),
                    pct(r.f1),
                    r.support
                )?;
            }
        }
        let weak = self.below_target(self.target_accuracy);
        if !weak.is_empty() {
            writeln!(
                f,
                "\nbelow {:.0}% accuracy (add or sharpen example phrases):",
                self.target_accuracy * 100.0
            )?;
            for r in weak {
                write!(f, "  {} {} of {}", r.intent, pct(r.recall), r.support)?;
                for (i, m) in r.mistaken_for.iter().take(3).enumerate() {
                    let sep = if i == 0 { ": mistaken for " } else { ", " };
                    write!(f, "{sep}{} x{}", label(&m.label), m.count)?;
                }
                writeln!(f)?;
            }
        }
        if !self.confusions.is_empty() {
            writeln!(f, "\ntop confusions (expected -> detected):")?;
            for c in self.confusions.iter().take(10) {
                write!(
                    f,
                    "  {} -> {} x{}",
                    label(&c.expected),
                    label(&c.predicted),
                    c.count
                )?;
                for (i, e) in c.examples.iter().enumerate() {
                    let sep = if i == 0 { ": " } else { ", " };
                    write!(f, "{sep}{e:?}")?;
                }
                writeln!(f)?;
            }
        }
        if self.in_scope > 0 {
            writeln!(f, "\nthreshold  in-scope acc  oos recall")?;
            for p in self.sweep(10) {
                writeln!(
                    f,
                    "{:>9.2}  {:>12}  {:>10}",
                    p.threshold,
                    pct(p.in_scope_accuracy),
                    pct(p.oos_recall)
                )?;
            }
            if let Some(p) = self.suggest_threshold(ThresholdGoal::Balanced) {
                writeln!(
                    f,
                    "suggested threshold {:.3} (max in-scope acc + oos recall: {} / {})",
                    p.threshold,
                    pct(p.in_scope_accuracy),
                    pct(p.oos_recall)
                )?;
            }
        }
        Ok(())
    }
}

fn label(l: &Option<String>) -> &str {
    l.as_deref().unwrap_or("(no intent)")
}
