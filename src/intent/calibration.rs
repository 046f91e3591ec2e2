//! Calibration: mapping raw scores to confidences (Platt scaling on two inputs) and
//! choosing the no-intent threshold within an in-scope accuracy budget.
//!
//! Complexity: fitting is O(samples) per Newton step (at most 100 steps of a 3×3
//! system); choosing the threshold is O(samples log samples).

/// Below this many in-scope held-out examples, the default threshold is 0.5 rather than
/// one chosen by an accuracy budget that so few examples cannot measure.
const MIN_BUDGET_SAMPLES: usize = 500;

/// What calibration needs to know of one held-out message.
#[derive(Clone, Copy, Debug)]
pub(super) struct Observation {
    /// The best-scoring intent and its raw score.
    pub(super) best: usize,
    pub(super) score: f32,
    /// The second-best raw score (`-inf` without a second intent).
    pub(super) second: f32,
    /// Words of the message the model has never seen (and no keyword covers).
    pub(super) unknown: f32,
    /// The right answer: an intent, or `None` for "no intent".
    pub(super) truth: Option<usize>,
}

/// Maps a raw score to a calibrated confidence: a logistic function of the candidate's
/// score and of the number of words in the message the model has never seen (Platt
/// scaling with two inputs). Unknown words are the best cheap sign that a message is
/// about something else entirely, which a linear score alone rates too high.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Calibration {
    score: f32,
    unknown: f32,
    offset: f32,
}

impl Calibration {
    /// Used when there is too little held-out data to fit: a score at the SVM margin
    /// (1.0) reads as confident, a negative score as unlikely. Unknown words count for
    /// nothing until data says how much they matter: with a few example phrases, most
    /// words of any message are unknown.
    pub(super) const PRIOR: Calibration = Calibration {
        score: 4.5,
        unknown: 0.0,
        offset: -0.5,
    };

    /// The map's coefficients (score, unknown words, offset), as saved.
    pub(super) fn coefficients(&self) -> [f32; 3] {
        [self.score, self.unknown, self.offset]
    }

    /// The map with these coefficients, as loaded.
    pub(super) fn from_coefficients([score, unknown, offset]: [f32; 3]) -> Calibration {
        Calibration {
            score,
            unknown,
            offset,
        }
    }

    pub(super) fn confidence(&self, score: f32, unknown: f32) -> f32 {
        let z = self.score * score + self.unknown * unknown + self.offset;
        let p = 1.0 / (1.0 + (-z).exp());
        if p.is_nan() {
            0.0
        } else {
            p.clamp(0.0, 1.0)
        }
    }

    /// Fits the map in two steps. First the direction: a logistic regression of
    /// best-is-right on (score, unknown words) in which no-intent examples count, in
    /// total, as much as in-scope ones, so the few no-intent examples a team has are not
    /// drowned out and the ranking learns what off-topic messages look like. Then the
    /// scale: a plain one-input Platt fit along that direction, so the confidence is the
    /// probability of being right on data like the held-out set.
    pub(super) fn fit(samples: &[Observation]) -> Calibration {
        let right = samples.iter().filter(|o| o.truth == Some(o.best)).count();
        let in_scope = samples.iter().filter(|o| o.truth.is_some()).count();
        let out_of_scope = samples.len() - in_scope;
        if samples.len() < 20 || right < 5 || samples.len() - right < 5 {
            return Calibration::PRIOR;
        }
        let oos_weight = if out_of_scope > 0 && in_scope > 0 {
            in_scope as f64 / out_of_scope as f64
        } else {
            1.0
        };
        let prior = [
            Calibration::PRIOR.score as f64,
            Calibration::PRIOR.unknown as f64,
            Calibration::PRIOR.offset as f64,
        ];
        let balanced: Vec<([f64; 3], bool, f64)> = samples
            .iter()
            .map(|o| {
                let weight = if o.truth.is_none() { oos_weight } else { 1.0 };
                (
                    [o.score as f64, o.unknown as f64, 1.0],
                    o.truth == Some(o.best),
                    weight,
                )
            })
            .collect();
        // More confidence for a higher score, less for more unknown words: a fit that
        // says otherwise has learned noise, and the prior is the better map.
        let direction = match logistic(&balanced, prior) {
            Some(d) if d[0] > 0.0 && d[1] <= 0.0 => d,
            _ => return Calibration::PRIOR,
        };
        let along: Vec<([f64; 3], bool, f64)> = balanced
            .iter()
            .map(|(x, right, _)| {
                (
                    [direction[0] * x[0] + direction[1] * x[1], 0.0, 1.0],
                    *right,
                    1.0,
                )
            })
            .collect();
        let scale = match logistic(&along, [1.0, 0.0, direction[2]]) {
            Some(s) if s[0] > 0.0 => s,
            _ => return Calibration::PRIOR,
        };
        Calibration {
            score: (scale[0] * direction[0]) as f32,
            unknown: (scale[0] * direction[1]) as f32,
            offset: scale[2] as f32,
        }
    }

    /// The threshold that rejects as many no-intent messages as possible while costing
    /// at most `max_loss` of in-scope accuracy (as a fraction) on the held-out samples.
    /// Without no-intent samples it is the highest threshold within the same budget.
    /// With fewer than [`MIN_BUDGET_SAMPLES`] in-scope samples it is 0.5.
    pub(super) fn choose_threshold(&self, samples: &[Observation], max_loss: f32) -> f32 {
        let mut points: Vec<(f32, bool, bool)> = samples
            .iter()
            .map(|o| {
                (
                    self.confidence(o.score, o.unknown),
                    o.truth.is_none(),
                    o.truth == Some(o.best),
                )
            })
            .collect();
        let in_scope = points.iter().filter(|p| !p.1).count();
        // A budget of one point cannot be measured on a few hundred examples; there the
        // threshold is 0.5: an intent is accepted when it is more likely right than wrong.
        if in_scope < MIN_BUDGET_SAMPLES {
            return 0.5;
        }
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut right = points.iter().filter(|p| p.2).count();
        let floor = right as f64 / in_scope as f64 - max_loss as f64;
        // Raise the threshold past one confidence level at a time while accuracy holds.
        let mut threshold = 0.0f32;
        let mut i = 0;
        while i < points.len() {
            let level = points[i].0;
            let mut lost = 0;
            let mut j = i;
            while j < points.len() && points[j].0 == level {
                lost += points[j].2 as usize;
                j += 1;
            }
            if ((right - lost) as f64 / in_scope as f64) < floor {
                break;
            }
            right -= lost;
            threshold = if j < points.len() {
                (level + points[j].0) / 2.0
            } else {
                level
            };
            i = j;
        }
        threshold.clamp(0.0, 1.0)
    }
}

/// The ambiguity margin when held-out data is too small to choose one (fewer than
/// [`MIN_BUDGET_SAMPLES`] in-scope samples, or fewer than [`MIN_CLOSE_CALLS`] wrong
/// answers among them).
pub(super) const DEFAULT_MARGIN: f32 = 0.1;

/// The held-out accuracy under which the best candidate is too uncertain to act on
/// alone: below two right in three, asking the customer costs less than guessing.
const CLOSE_CALL_ACCURACY: f64 = 2.0 / 3.0;

/// The fewest observations a run of close calls must hold before its accuracy counts.
const MIN_CLOSE_CALLS: usize = 10;

impl Calibration {
    /// The ambiguity margin: the widest gap `m` between the best two calibrated
    /// confidences such that the held-out in-scope messages whose gap is below `m`
    /// (at least [`MIN_CLOSE_CALLS`] of them) have their best candidate right less than
    /// [`CLOSE_CALL_ACCURACY`] of the time. Only messages whose best candidate reaches
    /// `floor` count (the detections that could be flagged). Without such a run the
    /// margin is 0 (nothing is too close to call); with too few samples it is
    /// [`DEFAULT_MARGIN`]. Deterministic: a sort and one walk, O(samples log samples).
    pub(super) fn choose_margin(&self, samples: &[Observation], floor: f32) -> f32 {
        let in_scope = samples.iter().filter(|o| o.truth.is_some()).count();
        if in_scope < MIN_BUDGET_SAMPLES {
            return DEFAULT_MARGIN;
        }
        let mut gaps: Vec<(f32, bool)> = samples
            .iter()
            .filter(|o| o.truth.is_some() && o.second.is_finite())
            .map(|o| {
                let best = self.confidence(o.score, o.unknown);
                let second = self.confidence(o.second, o.unknown);
                (best, (best - second).max(0.0), o.truth == Some(o.best))
            })
            .filter(|&(best, _, _)| best >= floor)
            .map(|(_, gap, right)| (gap, right))
            .collect();
        gaps.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut right = 0usize;
        let mut margin = 0.0f32;
        for (i, &(gap, is_right)) in gaps.iter().enumerate() {
            right += is_right as usize;
            let seen = i + 1;
            // Only between distinct gap levels can a margin fall.
            let next = gaps.get(seen).map(|g| g.0);
            if next == Some(gap) {
                continue;
            }
            if seen >= MIN_CLOSE_CALLS && (right as f64) < CLOSE_CALL_ACCURACY * seen as f64 {
                // Midway to the next level up (or to 1, past the widest).
                margin = (gap + next.unwrap_or(1.0)) / 2.0;
            }
        }
        margin.clamp(0.0, 1.0)
    }
}

/// Weighted logistic regression by damped Newton steps with Platt's smoothed targets.
/// Points are (inputs, is-positive, weight). A Gaussian prior of unit strength centred on
/// `center` keeps the fit sane on a few dozen held-out examples (where the data alone can
/// be separable and send the coefficients to infinity) and is negligible on thousands.
fn logistic(points: &[([f64; 3], bool, f64)], center: [f64; 3]) -> Option<[f64; 3]> {
    const PRIOR_STRENGTH: f64 = 1.0;
    let positives: f64 = points.iter().filter(|p| p.1).map(|p| p.2).sum();
    let negatives: f64 = points.iter().filter(|p| !p.1).map(|p| p.2).sum();
    let hi = (positives + 1.0) / (positives + 2.0);
    let lo = 1.0 / (negatives + 2.0);
    let loss = |beta: &[f64; 3]| -> f64 {
        let mut total = 0.0;
        for (x, positive, weight) in points {
            let target = if *positive { hi } else { lo };
            let z: f64 = (0..3).map(|k| beta[k] * x[k]).sum();
            // log(1 + e^z) - target * z, computed without overflow
            let softplus = if z > 0.0 {
                z + (-z).exp().ln_1p()
            } else {
                z.exp().ln_1p()
            };
            total += weight * (softplus - target * z);
        }
        total + 0.5 * PRIOR_STRENGTH * (0..3).map(|k| (beta[k] - center[k]).powi(2)).sum::<f64>()
    };
    let mut beta = center;
    let mut current = loss(&beta);
    for _ in 0..100 {
        let mut grad = [0.0f64; 3];
        let mut hess = [[0.0f64; 3]; 3];
        for (x, positive, weight) in points {
            let target = if *positive { hi } else { lo };
            let z: f64 = (0..3).map(|k| beta[k] * x[k]).sum();
            let p = 1.0 / (1.0 + (-z).exp());
            let w = (p * (1.0 - p)).max(1e-12) * weight;
            for a in 0..3 {
                grad[a] += (p - target) * x[a] * weight;
                for b in 0..3 {
                    hess[a][b] += w * x[a] * x[b];
                }
            }
        }
        for a in 0..3 {
            grad[a] += PRIOR_STRENGTH * (beta[a] - center[a]);
            hess[a][a] += PRIOR_STRENGTH;
        }
        let step = solve3(hess, grad)?;
        // Halve the step until the loss does not go up.
        let mut factor = 1.0;
        let mut next = beta;
        let mut improved = false;
        for _ in 0..30 {
            next = [
                beta[0] - factor * step[0],
                beta[1] - factor * step[1],
                beta[2] - factor * step[2],
            ];
            let value = loss(&next);
            if value <= current {
                current = value;
                improved = true;
                break;
            }
            factor *= 0.5;
        }
        if !improved {
            break;
        }
        let moved = (0..3).all(|k| (next[k] - beta[k]).abs() < 1e-7);
        beta = next;
        if moved {
            break;
        }
    }
    beta.iter().all(|b| b.is_finite()).then_some(beta)
}

fn solve3(mut a: [[f64; 3]; 3], mut b: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let pivot_row = a[col];
        for row in col + 1..3 {
            let f = a[row][col] / pivot_row[col];
            for (cell, &p) in a[row].iter_mut().zip(&pivot_row).skip(col) {
                *cell -= f * p;
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    Some(x)
}

#[cfg(test)]
mod margin_tests {
    use super::*;
    use proptest::prelude::*;

    /// An in-scope observation whose best two confidences (under `PRIOR`) are `best` and
    /// `second`, right or wrong.
    fn seen(best: f32, second: f32, right: bool) -> Observation {
        let raw = |p: f32| {
            // PRIOR's inverse: confidence p at score (logit(p) - offset) / slope.
            let z = (p / (1.0 - p)).ln();
            (z - Calibration::PRIOR.offset) / Calibration::PRIOR.score
        };
        Observation {
            best: 0,
            score: raw(best),
            second: raw(second),
            unknown: 0.0,
            truth: Some(if right { 0 } else { 1 }),
        }
    }

    /// `n` clear, right answers (gap 0.6).
    fn clear(n: usize) -> Vec<Observation> {
        (0..n).map(|_| seen(0.9, 0.3, true)).collect()
    }

    #[test]
    fn too_few_samples_take_the_default() {
        assert_eq!(
            Calibration::PRIOR.choose_margin(&clear(10), 0.0),
            DEFAULT_MARGIN
        );
    }

    #[test]
    fn no_run_of_close_calls_gives_no_margin() {
        assert_eq!(Calibration::PRIOR.choose_margin(&clear(600), 0.0), 0.0);
    }

    #[test]
    fn close_calls_that_are_mostly_wrong_set_the_margin_between_them_and_the_clear_ones() {
        let mut samples = clear(600);
        // Twenty close calls 0.05 apart, one right in four.
        samples.extend((0..20).map(|i| seen(0.6, 0.55, i % 4 == 0)));
        let m = Calibration::PRIOR.choose_margin(&samples, 0.0);
        assert!(m > 0.05 && m < 0.6, "{m}");
        // Below the floor, the same close calls do not count.
        assert_eq!(Calibration::PRIOR.choose_margin(&samples, 0.7), 0.0);
    }

    /// The naive oracle: the widest gap level g such that the messages with gap <= g
    /// (at least MIN_CLOSE_CALLS) are right less than two times in three.
    fn widest_bad_level(gaps: &[(f32, bool)]) -> Option<f32> {
        let mut best = None;
        for &(g, _) in gaps {
            let under: Vec<bool> = gaps.iter().filter(|x| x.0 <= g).map(|x| x.1).collect();
            let right = under.iter().filter(|&&r| r).count();
            if under.len() >= MIN_CLOSE_CALLS
                && (right as f64) < CLOSE_CALL_ACCURACY * under.len() as f64
            {
                best = Some(best.map_or(g, |b: f32| b.max(g)));
            }
        }
        best
    }

    proptest! {
        #[test]
        fn the_margin_covers_exactly_the_widest_run_of_bad_close_calls(
            extra in proptest::collection::vec((0u8..20, any::<bool>()), 0..120),
        ) {
            let mut samples = clear(MIN_BUDGET_SAMPLES);
            // Confidences on a coarse grid so that gaps repeat.
            samples.extend(extra.iter().map(|&(step, right)| {
                let second = 0.9 - f32::from(step) * 0.02;
                seen(0.9, second, right)
            }));
            let cal = Calibration::PRIOR;
            let gaps: Vec<(f32, bool)> = samples
                .iter()
                .map(|o| {
                    let b = cal.confidence(o.score, 0.0);
                    let s = cal.confidence(o.second, 0.0);
                    ((b - s).max(0.0), o.truth == Some(o.best))
                })
                .collect();
            let m = cal.choose_margin(&samples, 0.0);
            match widest_bad_level(&gaps) {
                None => prop_assert_eq!(m, 0.0),
                Some(g) => {
                    // Every gap up to g is under the margin, no wider gap level is.
                    prop_assert!(m > g, "margin {} not above {}", m, g);
                    let next = gaps.iter().map(|x| x.0).filter(|&x| x > g).fold(f32::INFINITY, f32::min);
                    prop_assert!(next.is_infinite() || m <= next, "margin {} above the next level {}", m, next);
                }
            }
        }
    }
}
