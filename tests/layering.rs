//! Structure checks over the files of `src/`, read as text (no build step, no parser
//! dependency):
//!
//! - `no_import_cycle_between_files`: every `use` path (`crate::`, `super::`, `self::`, a
//!   child module) and every inline `crate::a::b` path in a file's non-test code is mapped
//!   to the file that defines the module it names; the graph of these file-to-file edges
//!   must have no cycle. `lib.rs` is the facade that re-exports everything, so its own
//!   re-exports are not edges. A failure lists each cycle's files.
//! - `lower_layers_do_not_import_higher_ones`: the crate's top-level modules sit in
//!   layers (text, then keywords and scorer, then intent, the conversation types, flow,
//!   router, and eval on top; error, limits and assign beside); a file may import only
//!   from its own module or from a lower layer. A failure lists each offending import.
//! - `no_function_over_120_lines`: from each `fn` line to its closing brace (braces in
//!   strings, chars and comments ignored), at most 120 lines. A failure lists each
//!   function with its file, line and length.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FN_LINES: usize = 120;

/// A source file: its path under `src/`, its module path, and its text.
struct Source {
    path: String,
    module: Vec<String>,
    text: String,
}

fn sources() -> Vec<Source> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    collect(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|file| {
            let rel = file
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let mut module: Vec<String> = rel
                .trim_end_matches(".rs")
                .split('/')
                .map(String::from)
                .collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib")) {
                module.pop();
            }
            let text = std::fs::read_to_string(&file).unwrap();
            Source {
                path: rel,
                module,
                text,
            }
        })
        .collect()
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            collect(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The text with comments, string and char literals blanked (newlines kept), so braces
/// and paths are only seen in code.
fn code_only(text: &str) -> String {
    let b: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !prev_is_ident(&b, i) {
            // A raw string r"..." or r#"..."#: find the hashes, then the closing quote.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|h| b.get(j + 1 + h) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            for &ch in &b[i..j.min(b.len())] {
                out.push(blank(ch));
            }
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let end = if next == Some('\\') {
                (i + 2..b.len()).find(|&j| b[j] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match end {
                Some(e) => {
                    for _ in i..=e {
                        out.push(' ');
                    }
                    i = e + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn prev_is_ident(b: &[char], i: usize) -> bool {
    i > 0 && (b[i - 1].is_alphanumeric() || b[i - 1] == '_')
}

/// The code before a file's inline `#[cfg(test)] mod tests { ... }` (test-only imports
/// are not part of the layering).
fn non_test_code(code: &str) -> &str {
    let mut offset = 0;
    let mut lines = code.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line.trim_end() == "#[cfg(test)]" {
            if let Some(next) = lines.peek() {
                if next.starts_with("mod ") && next.trim_end().ends_with('{') {
                    return &code[..offset];
                }
            }
        }
        offset += line.len();
    }
    code
}

/// Expands a use tree such as `a::{b, c::{d, e as f}, self}` into paths.
fn expand(tree: &str) -> Vec<Vec<String>> {
    // Drop renames (`X as Y`), then whitespace.
    let mut plain = String::new();
    let mut rest = tree;
    while let Some(at) = rest.find(" as ") {
        plain.push_str(&rest[..at]);
        let after = rest[at + 4..].trim_start();
        let skip = after
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(after.len());
        rest = &after[skip..];
    }
    plain.push_str(rest);
    let tree: String = plain.chars().filter(|c| !c.is_whitespace()).collect();
    let mut out = Vec::new();
    expand_into(&tree, &mut Vec::new(), &mut out);
    out
}

fn expand_into(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    match tree.find('{') {
        None => {
            let mut path = prefix.clone();
            path.extend(
                tree.split("::")
                    .filter(|s| !s.is_empty() && *s != "self" && *s != "*")
                    .map(String::from),
            );
            out.push(path);
        }
        Some(open) => {
            let head = &tree[..open];
            let close = tree.rfind('}').unwrap_or(tree.len());
            let inner = &tree[open + 1..close];
            let n = prefix.len();
            prefix.extend(head.split("::").filter(|s| !s.is_empty()).map(String::from));
            for part in split_top(inner) {
                expand_into(part, prefix, out);
            }
            prefix.truncate(n);
        }
    }
}

/// Splits on commas not nested in braces.
fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut parts) = (0, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    if start < s.len() {
        parts.push(&s[start..]);
    }
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

/// The module paths a file's code names: its `use` trees and inline `crate::` paths.
fn named_paths(code: &str) -> Vec<Vec<String>> {
    let mut paths = Vec::new();
    for stmt in code.split(';') {
        if let Some(at) = find_use(stmt) {
            paths.extend(expand(&stmt[at..]));
        }
    }
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let before_ok =
            at == 0 || !rest[..at].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == ':');
        let tail = &rest[at..];
        let len = tail
            .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
            .unwrap_or(tail.len());
        if before_ok {
            paths.push(
                tail[..len]
                    .split("::")
                    .filter(|s| !s.is_empty())
                    .map(String::from)
                    .collect(),
            );
        }
        rest = &tail[len.max(1)..];
    }
    paths
}

/// The start of the use tree when the text up to a `;` ends with a `use` declaration
/// (after items, attributes or a block's opening brace).
fn find_use(stmt: &str) -> Option<usize> {
    stmt.match_indices("use ").map(|(i, _)| i).find_map(|i| {
        let before = stmt[..i].trim_end();
        let word_start = !stmt[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_');
        let item_start = before.is_empty()
            || before.ends_with(['}', ']', '{'])
            || before.ends_with("pub")
            || (before.ends_with(')') && before.contains("pub("));
        (word_start && item_start).then_some(i + 4)
    })
}

/// The file a path names, from the file `from` (module path `module`).
fn resolve(
    path: &[String],
    module: &[String],
    files: &BTreeMap<Vec<String>, String>,
) -> Option<String> {
    let first = path.first()?;
    let mut abs: Vec<String> = match first.as_str() {
        "crate" => path[1..].to_vec(),
        "super" => {
            let mut m = module.to_vec();
            let mut rest = path;
            while rest.first().map(String::as_str) == Some("super") {
                m.pop();
                rest = &rest[1..];
            }
            m.extend(rest.iter().cloned());
            m
        }
        "self" => module.iter().chain(&path[1..]).cloned().collect(),
        _ => {
            // A child module named by a relative path (`use value::Value`).
            let mut child = module.to_vec();
            child.push(first.clone());
            if !files.contains_key(&child) {
                return None;
            }
            module.iter().chain(path).cloned().collect()
        }
    };
    while !abs.is_empty() && !files.contains_key(&abs) {
        abs.pop();
    }
    files.get(&abs).cloned()
}

fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let sources = sources();
    let files: BTreeMap<Vec<String>, String> = sources
        .iter()
        .map(|s| (s.module.clone(), s.path.clone()))
        .collect();
    let mut graph = BTreeMap::new();
    for s in &sources {
        let mut edges = BTreeSet::new();
        if s.path != "lib.rs" {
            let code = code_only(&s.text);
            for path in named_paths(non_test_code(&code)) {
                if let Some(to) = resolve(&path, &s.module, &files) {
                    if to != s.path && to != "lib.rs" {
                        edges.insert(to);
                    }
                }
            }
        }
        graph.insert(s.path.clone(), edges);
    }
    graph
}

/// Strongly connected components with more than one file (Tarjan).
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<Vec<String>> {
    struct State<'g> {
        graph: &'g BTreeMap<String, BTreeSet<String>>,
        index: BTreeMap<&'g str, usize>,
        low: BTreeMap<&'g str, usize>,
        stack: Vec<&'g str>,
        on_stack: BTreeSet<&'g str>,
        out: Vec<Vec<String>>,
    }
    fn visit<'g>(st: &mut State<'g>, v: &'g str) {
        let i = st.index.len();
        st.index.insert(v, i);
        st.low.insert(v, i);
        st.stack.push(v);
        st.on_stack.insert(v);
        for w in st.graph.get(v).into_iter().flatten() {
            let w = w.as_str();
            if !st.index.contains_key(w) {
                visit(st, w);
                let lw = st.low[w];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(lw);
            } else if st.on_stack.contains(w) {
                let iw = st.index[w];
                let lv = st.low.get_mut(v).unwrap();
                *lv = (*lv).min(iw);
            }
        }
        if st.low[v] == st.index[v] {
            let mut comp = Vec::new();
            while let Some(w) = st.stack.pop() {
                st.on_stack.remove(w);
                comp.push(w.to_string());
                if w == v {
                    break;
                }
            }
            if comp.len() > 1 {
                comp.sort();
                st.out.push(comp);
            }
        }
    }
    let mut st = State {
        graph,
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        out: Vec::new(),
    };
    for v in graph.keys() {
        if !st.index.contains_key(v.as_str()) {
            visit(&mut st, v);
        }
    }
    st.out
}

#[test]
fn no_import_cycle_between_files() {
    let graph = import_graph();
    let found = cycles(&graph);
    let report: Vec<String> = found
        .iter()
        .map(|files| {
            let edges: Vec<String> = files
                .iter()
                .flat_map(|f| {
                    graph[f]
                        .iter()
                        .filter(|t| files.contains(t))
                        .map(move |t| format!("{f} -> {t}"))
                })
                .collect();
            format!("cycle among [{}]: {}", files.join(", "), edges.join("; "))
        })
        .collect();
    assert!(
        report.is_empty(),
        "import cycles between files of src/:\n{}",
        report.join("\n")
    );
}

/// The checker itself: a planted two-file cycle is found, an acyclic chain is not.
#[test]
fn cycle_finder_finds_planted_cycles() {
    let graph = |edges: &[(&str, &str)]| {
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            g.entry(a.to_string()).or_default().insert(b.to_string());
            g.entry(b.to_string()).or_default();
        }
        g
    };
    assert_eq!(
        cycles(&graph(&[("a", "b"), ("b", "c")])),
        Vec::<Vec<String>>::new()
    );
    assert_eq!(
        cycles(&graph(&[("a", "b"), ("b", "c"), ("c", "a"), ("c", "d")])),
        [vec!["a".to_string(), "b".into(), "c".into()]]
    );
    let paths = named_paths(
        "use crate::flow::{compile::{A, B}, Value};\nuse super::x::Y;\nlet z = crate::text::f();\n",
    );
    let want: Vec<Vec<String>> = [
        &["crate", "flow", "compile", "A"][..],
        &["crate", "flow", "compile", "B"],
        &["crate", "flow", "Value"],
        &["super", "x", "Y"],
        &["crate", "flow", "compile", "A"],
        &["crate", "flow", "compile", "B"],
        &["crate", "flow", "Value"],
        &["crate", "text", "f"],
    ]
    .iter()
    .map(|p| p.iter().map(|s| s.to_string()).collect())
    .collect();
    // Inline scanning also sees the `use` line's `crate::` paths; duplicates are harmless.
    for p in &want {
        assert!(paths.contains(p), "{p:?} not in {paths:?}");
    }
}

/// Layer of a top-level module; higher layers may import lower ones only.
fn layer(module: &str) -> Option<u8> {
    Some(match module {
        "error" => 0,
        "limits" => 1,
        // The saved-bot format's bytes, checksum and fingerprints: below the scorer
        // and the model, which save through it.
        "persist" => 1,
        "text" => 2,
        // Word hashes and their pass-through hasher, for keywords and the model.
        "word_hash" => 2,
        // The built-in English words (hashed) and their vectors.
        "english" => 3,
        "word_vectors" => 4,
        "keywords" | "scorer" => 5,
        "intent" => 6,
        "conversation" => 7,
        // Training data in: builds the model's `Intent`s, nothing above.
        "import" => 7,
        "flow" => 8,
        "router" => 9,
        "eval" => 10,
        // Beside the pipeline: assignment depends on nothing above error.
        "assign" => 1,
        _ => return None,
    })
}

#[test]
fn lower_layers_do_not_import_higher_ones() {
    let graph = import_graph();
    let top = |file: &str| {
        file.split('/')
            .next()
            .unwrap()
            .trim_end_matches(".rs")
            .to_string()
    };
    let mut bad = Vec::new();
    for (from, edges) in &graph {
        let (a, Some(la)) = (top(from), layer(&top(from))) else {
            continue;
        };
        for to in edges {
            let b = top(to);
            if a == b {
                continue;
            }
            if let Some(lb) = layer(&b) {
                if lb >= la {
                    bad.push(format!("{from} (layer {la}) imports {to} (layer {lb})"));
                }
            }
        }
    }
    assert!(
        bad.is_empty(),
        "imports from a layer not below:\n{}",
        bad.join("\n")
    );
}

/// Each `fn` with a body in `code`: (line number, name, lines from `fn` to its `}`).
fn functions(code: &str) -> Vec<(usize, String, usize)> {
    let lines: Vec<&str> = code.lines().collect();
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let Some(at) = fn_keyword(line) else {
            continue;
        };
        let name: String = line[at + 3..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue;
        }
        // Find the body's opening brace (or a `;`: no body), then its closing brace.
        let mut depth = 0i64;
        let mut opened = false;
        let mut end = None;
        'scan: for (j, l) in lines.iter().enumerate().skip(i) {
            let start = if j == i { at } else { 0 };
            for c in l[start..].chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => {
                        depth -= 1;
                        if opened && depth == 0 {
                            end = Some(j);
                            break 'scan;
                        }
                    }
                    ';' if !opened && depth == 0 => break 'scan,
                    _ => {}
                }
            }
        }
        if let Some(end) = end {
            out.push((i + 1, name, end - i + 1));
        }
    }
    out
}

/// Where a line declares a function: `fn` as a word followed by a name.
fn fn_keyword(line: &str) -> Option<usize> {
    line.match_indices("fn ").map(|(i, _)| i).find(|&i| {
        (i == 0 || !line[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_'))
            && line[i + 3..]
                .trim_start()
                .starts_with(|c: char| c.is_alphabetic() || c == '_')
    })
}

#[test]
fn no_function_over_120_lines() {
    let mut long = Vec::new();
    for s in sources() {
        for (line, name, len) in functions(&code_only(&s.text)) {
            if len > MAX_FN_LINES {
                long.push(format!("src/{}:{line}: fn {name} is {len} lines", s.path));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions over {MAX_FN_LINES} lines:\n{}",
        long.join("\n")
    );
}

/// The scanners themselves, on text with braces in strings, chars and comments.
#[test]
fn function_scanner_ignores_braces_in_literals() {
    let code = code_only(
        "fn a() {\n    let s = \"}}{\";\n    let c = '}';\n    // }\n    let r = r#\"{\"#;\n}\nfn b<'x>(v: &'x str) -> &'x str {\n    v\n}\ntrait T {\n    fn c(&self);\n}\n",
    );
    let found: Vec<(usize, String, usize)> = functions(&code);
    assert_eq!(found, [(1, "a".to_string(), 6), (7, "b".to_string(), 3)]);
}
