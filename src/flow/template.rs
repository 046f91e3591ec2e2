//! Action templates: `"Thanks {user.name|there}!"` compiled once into literal and
//! variable segments, rendered per decision in one pass (linear in the output).

use crate::error::{ErrorKind, Item};

/// A variable a template can name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Var {
    User(Box<str>),
    Conversation(Box<str>),
    ConversationId,
    Slot(Box<str>),
    Attr(Box<str>),
    Intent,
    Confidence,
    Team,
    TeamName,
    TeamQueue,
    TeamChannel,
    Channel,
    Message,
    Rule,
    Tags,
    Keywords,
    Summary,
}

#[derive(Clone, Debug)]
enum Seg {
    Lit(Box<str>),
    Var(Var, Option<Box<str>>),
}

/// A compiled template.
#[derive(Clone, Debug)]
pub(crate) struct Template {
    segs: Vec<Seg>,
}

/// Supplies variable values at render time.
pub(crate) trait Env {
    /// Appends the value of `var` to `out`; returns false when it has no value.
    fn write(&self, var: &Var, out: &mut String) -> bool;
}

fn parse_var(name: &str) -> Option<Var> {
    let named = |prefix: &str| {
        name.strip_prefix(prefix)
            .filter(|rest| !rest.is_empty())
            .map(Box::<str>::from)
    };
    Some(match name {
        "intent" => Var::Intent,
        "confidence" => Var::Confidence,
        "team" | "team.id" => Var::Team,
        "team.name" => Var::TeamName,
        "team.queue" => Var::TeamQueue,
        "team.channel" => Var::TeamChannel,
        "channel" => Var::Channel,
        "message" => Var::Message,
        "rule" => Var::Rule,
        "tags" => Var::Tags,
        "keywords" => Var::Keywords,
        "summary" => Var::Summary,
        "conversation.id" => Var::ConversationId,
        _ => {
            if let Some(n) = named("user.") {
                Var::User(n)
            } else if let Some(n) = named("conversation.") {
                Var::Conversation(n)
            } else if let Some(n) = named("slots.") {
                Var::Slot(n)
            } else if let Some(n) = named("attributes.") {
                Var::Attr(n)
            } else {
                return None;
            }
        }
    })
}

impl Template {
    /// Compiles `src`; `{{` and `}}` are literal braces.
    pub(crate) fn compile(src: &str) -> Result<Template, ErrorKind> {
        let mut segs = Vec::new();
        let mut lit = String::new();
        let mut chars = src.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            match c {
                '{' if chars.peek().map(|p| p.1) == Some('{') => {
                    chars.next();
                    lit.push('{');
                }
                '}' if chars.peek().map(|p| p.1) == Some('}') => {
                    chars.next();
                    lit.push('}');
                }
                '{' => {
                    let rest = &src[i + 1..];
                    let Some(end) = rest.find('}') else {
                        return Err(ErrorKind::UnclosedBrace { at: i });
                    };
                    let inner = &rest[..end];
                    let (name, default) = match inner.split_once('|') {
                        Some((n, d)) => (n.trim(), Some(Box::<str>::from(d))),
                        None => (inner.trim(), None),
                    };
                    let var = parse_var(name).ok_or_else(|| ErrorKind::Unknown {
                        what: Item::TemplateVariable,
                        name: name.to_string(),
                    })?;
                    if !lit.is_empty() {
                        segs.push(Seg::Lit(std::mem::take(&mut lit).into()));
                    }
                    segs.push(Seg::Var(var, default));
                    // Skip the variable and its closing brace.
                    while let Some(&(j, _)) = chars.peek() {
                        if j > i + end + 1 {
                            break;
                        }
                        chars.next();
                    }
                }
                '}' => return Err(ErrorKind::UnmatchedBrace { at: i }),
                c => lit.push(c),
            }
        }
        if !lit.is_empty() {
            segs.push(Seg::Lit(lit.into()));
        }
        Ok(Template { segs })
    }

    /// The slot names the template reads (`{slots.x}`), for checking them at build time.
    pub(crate) fn slots(&self) -> impl Iterator<Item = &str> + '_ {
        self.segs.iter().filter_map(|seg| match seg {
            Seg::Var(Var::Slot(name), _) => Some(&**name),
            _ => None,
        })
    }

    /// Renders with values from `env`; a missing value renders its default or nothing.
    pub(crate) fn render(&self, env: &dyn Env) -> String {
        let mut out = String::new();
        for seg in &self.segs {
            match seg {
                Seg::Lit(s) => out.push_str(s),
                Seg::Var(var, default) => {
                    if !env.write(var, &mut out) {
                        if let Some(d) = default {
                            out.push_str(d);
                        }
                    }
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fake;
    impl Env for Fake {
        fn write(&self, var: &Var, out: &mut String) -> bool {
            match var {
                Var::User(n) if &**n == "name" => {
                    out.push_str("Ada");
                    true
                }
                Var::Intent => {
                    out.push_str("pricing");
                    true
                }
                _ => false,
            }
        }
    }

    macro_rules! renders {
        ($($src:expr => $want:expr),* $(,)?) => {$(
            assert_eq!(Template::compile($src).unwrap().render(&Fake), $want, "{:?}", $src);
        )*};
    }

    #[test]
    fn table() {
        renders! {
            "" => "",
            "plain" => "plain",
            "Hi {user.name}!" => "Hi Ada!",
            "Hi {user.nickname|there}!" => "Hi there!",
            "Hi {user.nickname}!" => "Hi !",
            "{intent}/{ intent }" => "pricing/pricing",
            "{{literal}} {intent}" => "{literal} pricing",
            "é {intent} ü" => "é pricing ü",
            "{user.name|a|b}" => "Ada",
            "{user.x|a|b}" => "a|b",
        }
    }

    #[test]
    fn errors() {
        assert!(matches!(
            Template::compile("Hi {usr.name}"),
            Err(ErrorKind::Unknown { name, .. }) if name == "usr.name"
        ));
        assert!(Template::compile("Hi {user.name").is_err());
        assert!(Template::compile("Hi }").is_err());
        assert!(Template::compile("{user.}").is_err());
    }
}
