//! How one string is written: plain, quoted or as a block literal, decided in one pass over
//! its bytes, then written straight into the output. The rules are serde-saphyr 2.1.1's for
//! block style, YAML 1.1 quoting and no folding, so the bytes are the ones it writes.

use super::implicit::is_ambiguous;

/// What one pass over a string found.
struct Scan {
    /// A line break: a block literal if nothing else forbids it.
    newline: bool,
    /// A character that only a double-quoted string can hold (controls, BOM, line separators).
    escape: bool,
    /// An escape other than tab and newline: no block literal either.
    not_block: bool,
    colon: bool,
    /// `: `, which would start a mapping in a plain value.
    colon_space: bool,
    /// `,` `[` `]` `{` `}`, structural in flow style, where keys may end up.
    flow: bool,
    /// `#` after white space, which would start a comment.
    comment: bool,
}

impl Scan {
    fn of(s: &str) -> Scan {
        let mut scan = Scan {
            newline: false,
            escape: false,
            not_block: false,
            colon: false,
            colon_space: false,
            flow: false,
            comment: false,
        };
        let bytes = s.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if !INTERESTING[usize::from(b)] {
                continue;
            }
            match b {
                b'\n' => {
                    scan.newline = true;
                    scan.escape = true;
                }
                b'\t' => scan.escape = true,
                0..=0x1f | 0x7f => {
                    scan.escape = true;
                    scan.not_block = true;
                }
                b':' => {
                    scan.colon = true;
                    scan.colon_space |= bytes.get(i + 1) == Some(&b' ');
                }
                b',' | b'[' | b']' | b'{' | b'}' => scan.flow = true,
                // Any white space counts, Unicode's too: rare enough to decode the character.
                b'#' => scan.comment |= s[..i].chars().next_back().is_some_and(char::is_whitespace),
                // U+0080..U+009F (C1 controls), U+2028 and U+2029 (line and paragraph
                // separators), U+FEFF (byte order mark), U+FFFE, U+FFFF.
                0xc2 | 0xe2 | 0xef if escaped_non_ascii(&bytes[i..]) => {
                    scan.escape = true;
                    scan.not_block = true;
                }
                _ => {}
            }
        }
        scan
    }
}

/// Whether `bytes` starts with the UTF-8 of a non-ASCII character only double quotes can hold.
fn escaped_non_ascii(bytes: &[u8]) -> bool {
    matches!(
        bytes,
        [0xc2, 0x80..=0x9f, ..]
            | [0xe2, 0x80, 0xa8 | 0xa9, ..]
            | [0xef, 0xbb, 0xbf, ..]
            | [0xef, 0xbf, 0xbe | 0xbf, ..]
    )
}

/// The bytes [`Scan::of`] looks at; every other byte is skipped with one table lookup.
static INTERESTING: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    let marked = [0x7f, b':', b',', b'[', b']', b'{', b'}', b'#', 0xc2, 0xe2, 0xef];
    let mut i = 0;
    while i < marked.len() {
        table[marked[i] as usize] = true;
        i += 1;
    }
    table
};

/// Whether `s` has none of the characters a block literal cannot hold, decided without
/// branching per byte; `false` also when `s` holds a byte that may start one of the non-ASCII
/// ones (U+0080..U+009F, U+2028, U+2029, U+FEFF, U+FFFE, U+FFFF), for [`Scan::of`] to decide.
fn block_safe_ascii(s: &str) -> bool {
    for chunk in s.as_bytes().chunks(256) {
        let mut unsafe_byte = false;
        for &b in chunk {
            unsafe_byte |=
                (b < 0x20) & (b != b'\n') & (b != b'\t') | (b == 0x7f) | (b == 0xc2) | (b == 0xe2) | (b == 0xef);
        }
        if unsafe_byte {
            return false;
        }
    }
    true
}

/// How a string value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    Plain,
    /// `'.'`, `'#'`, `'-'`: serde-saphyr's spelling for these three one-character strings.
    SingleQuoted,
    DoubleQuoted,
    /// `|`, with the body on the following lines.
    Literal,
}

/// The style of a string in value position.
pub(super) fn value_style(s: &str) -> Style {
    // Multi-line text (a dashboard, a config file) is the bulk of the bytes: one quick pass
    // decides most of it.
    if s.contains('\n') && block_safe_ascii(s) {
        return Style::Literal;
    }
    let scan = Scan::of(s);
    if scan.newline && !scan.not_block {
        return Style::Literal;
    }
    if matches!(s, "." | "#" | "-") {
        return Style::SingleQuoted;
    }
    let plain = !scan.escape
        && !scan.colon_space
        && !scan.comment
        && plain_edges(s)
        // A trailing colon (before any white space) would make it a key.
        && !s.trim_end().ends_with(':')
        && !is_ambiguous(s, false);
    if plain { Style::Plain } else { Style::DoubleQuoted }
}

/// Whether a key can be written plain; otherwise it is double-quoted. Keys are held to the
/// stricter of the key and flow-value rules, and to both YAML versions' look-alikes.
pub(super) fn key_is_plain(s: &str) -> bool {
    let scan = Scan::of(s);
    !scan.escape
        && !scan.colon
        && !scan.flow
        && !scan.comment
        && plain_edges(s)
        && s != "<<"
        && !is_ambiguous(s, false)
        && !is_ambiguous(s, true)
}

/// The start and end of a plain scalar: no white space there (it would be lost), no
/// indicator first, no document marker.
fn plain_edges(s: &str) -> bool {
    let bytes = s.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        // Empty: quoted (the ambiguity check says so too).
        return false;
    };
    if first.is_ascii_whitespace() || last.is_ascii_whitespace() {
        return false;
    }
    match first {
        b'-' | b'?' if bytes.len() == 1 || bytes[1].is_ascii_whitespace() => return false,
        b',' | b':' | b'[' | b']' | b'{' | b'}' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'\'' | b'"' | b'%'
        | b'@' | b'`' => return false,
        _ => {}
    }
    let marker = bytes.starts_with(b"---") || bytes.starts_with(b"...");
    !(marker && bytes.get(3).is_none_or(u8::is_ascii_whitespace))
}

/// Writes `s` between double quotes, escaping what YAML requires; runs of ordinary
/// characters are copied whole.
pub(super) fn write_double_quoted(out: &mut String, s: &str) {
    out.push('"');
    let mut copied = 0;
    for (i, c) in s.char_indices() {
        let escape = match c {
            '\\' => "\\\\",
            '"' => "\\\"",
            '\0' => "\\0",
            '\u{7}' => "\\a",
            '\u{8}' => "\\b",
            '\t' => "\\t",
            '\n' => "\\n",
            '\u{b}' => "\\v",
            '\u{c}' => "\\f",
            '\r' => "\\r",
            '\u{1b}' => "\\e",
            '\u{85}' => "\\N",
            '\u{2028}' => "\\L",
            '\u{2029}' => "\\P",
            '\u{feff}' => "\\uFEFF",
            '\u{fffe}' => "\\uFFFE",
            '\u{ffff}' => "\\uFFFF",
            c if c.is_control() => "",
            _ => continue,
        };
        out.push_str(&s[copied..i]);
        if escape.is_empty() {
            // The remaining C0 and C1 controls, as two hex digits.
            const HEX: &[u8; 16] = b"0123456789ABCDEF";
            let code = c as usize;
            out.push_str("\\x");
            out.push(char::from(HEX[code >> 4]));
            out.push(char::from(HEX[code & 0xf]));
        } else {
            out.push_str(escape);
        }
        copied = i + c.len_utf8();
    }
    out.push_str(&s[copied..]);
    out.push('"');
}

/// Writes the `|` header and the body of a block literal, each non-empty line indented by
/// `indent` spaces. The header says how many trailing newlines to keep (`|-` none, `|` one,
/// `|+` all) and, when the first line starts with a space, how deep the body is (`|2`).
pub(super) fn write_literal(out: &mut String, s: &str, indent: usize) {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    out.push('|');
    let first_line = content.trim_start_matches('\n');
    if first_line.starts_with(' ') {
        out.push('2');
    }
    match trailing {
        0 => out.push('-'),
        1 if !content.is_empty() => {}
        _ => out.push('+'),
    }
    out.push('\n');
    // One allocation for the body: every line gains at most `indent` bytes.
    let lines = content.bytes().filter(|&b| b == b'\n').count() + 1;
    out.reserve(s.len() + lines * indent);
    if content.is_empty() {
        push_newlines(out, trailing);
        return;
    }
    let pad: std::borrow::Cow<str> =
        if indent <= SPACES.len() { SPACES[..indent].into() } else { " ".repeat(indent).into() };
    for line in content.split('\n') {
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
        out.push('\n');
    }
    push_newlines(out, trailing.saturating_sub(1));
}

const SPACES: &str = "                                                                ";

pub(super) fn push_spaces(out: &mut String, n: usize) {
    let mut left = n;
    while left > 0 {
        let run = left.min(SPACES.len());
        out.push_str(&SPACES[..run]);
        left -= run;
    }
}

fn push_newlines(out: &mut String, n: usize) {
    out.extend(std::iter::repeat_n('\n', n));
}
