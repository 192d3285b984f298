//! Unpacks a `ttar` archive, the plain-text tree format node_exporter keeps its sysfs test
//! fixtures in (`collector/fixtures/sys.ttar`), so a real node_exporter can read them.
//!
//! The format, as upstream's `ttar` script writes it: records separated by `# ttar - - -`
//! lines; `Directory: <path>`, or `Path: <path>` with `Lines: <n>` and then n content lines
//! (`NULLBYTE` standing for a 0 byte, a trailing `EOF` marking a last line without newline),
//! or `Path:` with `SymlinkTo: <target>`; each followed by `Mode: <octal>`.

use std::fs;
use std::os::unix::fs::{PermissionsExt, symlink};
use std::path::Path;

/// Writes the tree `archive` describes below `into`.
pub fn unpack(archive: &[u8], into: &Path) {
    let mut lines = archive.split(|b| *b == b'\n').peekable();
    let mut current: Option<std::path::PathBuf> = None;
    while let Some(line) = lines.next() {
        let text = String::from_utf8_lossy(line);
        if let Some(dir) = text.strip_prefix("Directory: ") {
            let path = into.join(dir.trim());
            fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            current = Some(path);
        } else if let Some(file) = text.strip_prefix("Path: ") {
            current = Some(into.join(file.trim()));
        } else if let Some(count) = text.strip_prefix("Lines: ") {
            let path = current.clone().expect("ttar: `Lines:` after a `Path:`");
            let count: usize = count.trim().parse().expect("ttar: a line count");
            let mut body = Vec::new();
            for _ in 0..count {
                let mut content = lines.next().expect("ttar: the announced lines").to_vec();
                let ends_without_newline = content.ends_with(b"EOF");
                if ends_without_newline {
                    content.truncate(content.len() - 3);
                }
                body.extend(replace_all(&content, b"NULLBYTE", b"\0"));
                if !ends_without_newline {
                    body.push(b'\n');
                }
            }
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(&path, body).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else if let Some(target) = text.strip_prefix("SymlinkTo: ") {
            let path = current.take().expect("ttar: `SymlinkTo:` after a `Path:`");
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            symlink(target.trim(), &path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        } else if let Some(mode) = text.strip_prefix("Mode: ")
            && let Some(path) = current.take().filter(|p| !p.is_symlink())
        {
            let mode = u32::from_str_radix(mode.trim(), 8).expect("ttar: an octal mode");
            fs::set_permissions(&path, fs::Permissions::from_mode(mode)).unwrap();
        }
    }
}

fn replace_all(haystack: &[u8], from: &[u8], to: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(haystack.len());
    let mut i = 0;
    while i < haystack.len() {
        if haystack[i..].starts_with(from) {
            out.extend_from_slice(to);
            i += from.len();
        } else {
            out.push(haystack[i]);
            i += 1;
        }
    }
    out
}
