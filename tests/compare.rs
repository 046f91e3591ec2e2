//! Comparing a candidate bot with the current one: counts checked against a naive
//! recount of both routers' decisions, guards parsed and checked, and the shipped
//! candidate (the starter bot without one intent's phrases) kept in step with the
//! starter bot.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use handoff::eval::{compare, CompareMessage, Guard, Moved};
use handoff::{Context, Message, Router, RouterConfig};
use proptest::prelude::*;

const STARTER: &str = include_str!("../examples/sales_handoff.json");
const CANDIDATE: &str =
    include_str!("../examples/compare/sales_handoff.no_sales_contact_phrases.json");
const MESSAGES: &str = include_str!("../examples/compare/messages.jsonl");

fn routers() -> &'static (Router, Router) {
    static ROUTERS: OnceLock<(Router, Router)> = OnceLock::new();
    ROUTERS.get_or_init(|| {
        let build = |text: &str| {
            Router::from_config(serde_json::from_str::<RouterConfig>(text).unwrap()).unwrap()
        };
        (build(STARTER), build(CANDIDATE))
    })
}

fn messages() -> Vec<CompareMessage> {
    MESSAGES
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn the_shipped_candidate_is_the_starter_bot_without_sales_contact_phrases() {
    let mut starter: RouterConfig = serde_json::from_str(STARTER).unwrap();
    let candidate: RouterConfig = serde_json::from_str(CANDIDATE).unwrap();
    let intent = starter
        .intents
        .iter_mut()
        .find(|i| i.id == "sales_contact")
        .unwrap();
    assert!(!intent.phrases.is_empty());
    intent.phrases.clear();
    assert_eq!(candidate, starter);
}

#[test]
fn a_bot_compared_with_itself_changes_nothing() {
    let (current, _) = routers();
    let copy = Router::from_bytes(&current.to_bytes()).unwrap();
    let c = compare(current, &copy, &messages());
    assert_eq!(c.messages, 72);
    assert_eq!(
        (
            c.route_changed,
            c.team_changed,
            c.intent_changed,
            c.actions_changed
        ),
        (0, 0, 0, 0)
    );
    assert!(c.movements.is_empty());
    assert_eq!(c.current, c.candidate);
    let a = c.accuracy.as_ref().unwrap();
    assert_eq!((a.labeled, a.fixed, a.broken), (72, 0, 0));
    assert_eq!(a.current_right, a.candidate_right);
    assert!(c.teams.iter().all(|t| t.lost == 0 && t.gained == 0));
    for guard in ["lost:sales<=0%", "changed:route<=0%", "accuracy-drop<=0"] {
        assert!(guard.parse::<Guard>().unwrap().check(&c).passed, "{guard}");
    }
}

#[test]
fn removing_an_intents_phrases_shows_in_the_report() {
    let (current, candidate) = routers();
    let c = compare(current, candidate, &messages());
    assert_ne!(c.current.model(), c.candidate.model());
    assert_eq!(c.current.flow(), c.candidate.flow());
    // The candidate no longer knows how people ask for sales in words.
    let from_sales_contact: usize = c
        .movements_of(Moved::Intent)
        .filter(|m| m.from == "sales_contact")
        .map(|m| m.count)
        .sum();
    assert!(from_sales_contact >= 3, "{c}");
    let a = c.accuracy.as_ref().unwrap();
    assert!(a.broken > 0 && a.candidate_right < a.current_right, "{c}");
    let report = c.to_string();
    assert!(report.contains("biggest intent movements:"), "{report}");
    assert!(report.contains("sales_contact ->"), "{report}");
    let drop: Guard = "accuracy-drop<=1".parse().unwrap();
    assert!(!drop.check(&c).passed);
}

/// The comparison's counts recomputed the plain way, from both routers' decisions.
fn naive(current: &Router, candidate: &Router, messages: &[CompareMessage]) -> NaiveCounts {
    let mut n = NaiveCounts::default();
    for m in messages {
        let text = Message::text(m.text.as_str());
        let a = current.decide(&text, &Context::default());
        let b = candidate.decide(&text, &Context::default());
        let route = |d: &handoff::Decision| {
            (
                d.route.kind().to_string(),
                d.route.team().map(str::to_string),
                serde_json::to_value(&d.route).unwrap()["slot"].clone(),
                serde_json::to_value(&d.route).unwrap()["step"].clone(),
            )
        };
        n.route += usize::from(route(&a) != route(&b));
        n.team += usize::from(a.route.team() != b.route.team());
        n.intent += usize::from(a.intent() != b.intent());
        n.actions += usize::from(a.actions != b.actions);
        if let Some(team) = a.route.team() {
            let e = n.teams.entry(team.to_string()).or_default();
            e.0 += 1;
            e.2 += usize::from(b.route.team() != Some(team));
        }
        if let Some(team) = b.route.team() {
            let e = n.teams.entry(team.to_string()).or_default();
            e.1 += 1;
            e.3 += usize::from(a.route.team() != Some(team));
        }
        if let Some(label) = &m.intent {
            let want = (label != "oos").then_some(label.as_str());
            n.right.0 += usize::from(a.intent() == want);
            n.right.1 += usize::from(b.intent() == want);
        }
    }
    n
}

#[derive(Default, Debug, PartialEq)]
struct NaiveCounts {
    route: usize,
    team: usize,
    intent: usize,
    actions: usize,
    /// Per team: current, candidate, lost, gained.
    teams: BTreeMap<String, (usize, usize, usize, usize)>,
    right: (usize, usize),
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn counts_match_a_naive_recount(
        picks in prop::collection::vec(any::<prop::sample::Index>(), 0..40),
        extra in prop::collection::vec("[a-z ]{0,30}", 0..5),
        swap in any::<bool>(),
    ) {
        let all = messages();
        let mut chosen: Vec<CompareMessage> = picks.iter().map(|i| all[i.index(all.len())].clone()).collect();
        chosen.extend(extra.into_iter().map(CompareMessage::new));
        let (a, b) = routers();
        let (current, candidate) = if swap { (b, a) } else { (a, b) };
        let c = compare(current, candidate, &chosen);
        let n = naive(current, candidate, &chosen);
        prop_assert_eq!(c.messages, chosen.len());
        prop_assert_eq!((c.route_changed, c.team_changed, c.intent_changed, c.actions_changed),
            (n.route, n.team, n.intent, n.actions));
        let teams: BTreeMap<String, (usize, usize, usize, usize)> = c.teams.iter()
            .map(|t| (t.team.clone(), (t.current, t.candidate, t.lost, t.gained)))
            .collect();
        prop_assert_eq!(teams, n.teams);
        let right = c.accuracy.as_ref().map_or((0, 0), |a| (a.current_right, a.candidate_right));
        prop_assert_eq!(right, n.right);
        let moved: usize = c.movements_of(Moved::Intent).map(|m| m.count).sum();
        prop_assert_eq!(moved, n.intent);
        let moved: usize = c.movements_of(Moved::Route).map(|m| m.count).sum();
        prop_assert_eq!(moved, n.route);
        prop_assert!(c.movements.windows(2).all(|w| w[0].count >= w[1].count));
        prop_assert!(c.movements.iter().all(|m| !m.examples.is_empty() && m.examples.len() <= 3));
    }
}

#[test]
fn guards_parse_from_their_written_form() {
    use handoff::eval::Changed;
    let cases: &[(&str, Option<Guard>)] = &[
        (
            "lost:sales<=2%",
            Some(Guard::MaxLostHandoffs {
                team: "sales".into(),
                percent: 2.0,
            }),
        ),
        (
            " lost: support <= 0.5 % ",
            Some(Guard::MaxLostHandoffs {
                team: "support".into(),
                percent: 0.5,
            }),
        ),
        (
            "changed:route<=5%",
            Some(Guard::MaxChanged {
                what: Changed::Route,
                percent: 5.0,
            }),
        ),
        (
            "changed:intent<=10%",
            Some(Guard::MaxChanged {
                what: Changed::Intent,
                percent: 10.0,
            }),
        ),
        (
            "accuracy-drop<=1",
            Some(Guard::MaxAccuracyDrop { points: 1.0 }),
        ),
        ("lost:sales<=2", None),
        ("lost:<=2%", None),
        ("lost:sales<=-1%", None),
        ("lost:sales<=NaN%", None),
        ("changed:colour<=2%", None),
        ("accuracy-drop<=x", None),
        ("sales hand-offs", None),
        ("", None),
    ];
    for (text, want) in cases {
        assert_eq!(text.parse::<Guard>().ok(), *want, "{text:?}");
        if let Some(guard) = want {
            assert_eq!(guard.to_string().parse::<Guard>().as_ref(), Ok(guard));
        }
    }
}

#[test]
fn a_lost_handoff_guard_fails_past_its_limit_and_not_before() {
    let (starter, candidate) = routers();
    let mut failed = 0;
    // Both ways round: what one gains, the other loses.
    for (current, candidate) in [(starter, candidate), (candidate, starter)] {
        let c = compare(current, candidate, &messages());
        for shift in &c.teams {
            let rate = shift.lost_rate().unwrap_or(0.0) * 100.0;
            let at: Guard = format!("lost:{}<={rate}%", shift.team).parse().unwrap();
            assert!(at.check(&c).passed, "{}", at.check(&c));
            if shift.lost > 0 {
                let below: Guard = format!("lost:{}<={}%", shift.team, rate * 0.99)
                    .parse()
                    .unwrap();
                let check = below.check(&c);
                assert!(!check.passed, "{check}");
                assert!(check.to_string().starts_with("FAIL"), "{check}");
                failed += 1;
            }
        }
        // A team nobody hands to loses nothing.
        let none: Guard = "lost:nobody<=0%".parse().unwrap();
        assert!(none.check(&c).passed);
    }
    assert!(failed > 0, "no team lost a hand-off either way round");
}
