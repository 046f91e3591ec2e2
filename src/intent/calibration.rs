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
