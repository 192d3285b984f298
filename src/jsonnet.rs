//! The embedded Jsonnet evaluator, behind one function: a file in, JSON out, or an error
//! pointing at a file, line and column. Nothing else in the engine knows which Jsonnet
//! implementation runs.

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use rsjsonnet_lang::arena::Arena;
use rsjsonnet_lang::interner::InternedStr;
use rsjsonnet_lang::lexer::LexError;
use rsjsonnet_lang::parser::{ActualToken, ExpectedToken, ParseError};
use rsjsonnet_lang::program::{
    AnalyzeError, Callbacks, EvalError, EvalErrorKind, EvalErrorValueType, EvalStackTraceItem, ImportError, LoadError,
    NativeError, Program, Thunk, Value,
};
use rsjsonnet_lang::span::{SpanContextId, SpanId};

/// Why a Jsonnet file did not evaluate, at the place the evaluator blames: possibly a library
/// file the evaluated file imports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonnetError {
    /// The file the position is in, as it was reached (the evaluated path or an import).
    pub file: PathBuf,
    /// 1-based; 0 when the evaluator names no place.
    pub line: u64,
    /// 1-based, in characters.
    pub column: u64,
    pub message: String,
    /// The text of line `line`, for quoting under the message.
    pub source_line: Option<String>,
}

/// Evaluates `text` (the contents of `path`) to JSON. `import "x"` is resolved against the
/// importing file's folder first, then against each of `import_dirs` in order.
pub fn evaluate(path: &Path, text: &str, import_dirs: &[PathBuf]) -> Result<serde_json::Value, JsonnetError> {
    let arena = Arena::new();
    let mut program = Program::new(&arena);
    let mut files = Files { import_dirs, sources: Vec::new(), by_context: HashMap::new(), loaded: HashMap::new() };
    let thunk = files.load(&mut program, path, text.to_owned()).map_err(|e| files.load_error(&program, &e))?;
    let value = program.eval_value(&thunk, &mut files).map_err(|e| files.eval_error(&program, &e))?;
    let json = program.manifest_json(&value, false).map_err(|e| files.eval_error(&program, &e))?;
    serde_json::from_str(&json).map_err(|e| JsonnetError {
        file: path.to_owned(),
        line: 0,
        column: 0,
        message: format!("the evaluator produced invalid JSON: {e}"),
        source_line: None,
    })
}

/// The files one evaluation has read, so that spans can be turned into positions.
struct Files<'d, 'p> {
    import_dirs: &'d [PathBuf],
    sources: Vec<(PathBuf, String)>,
    by_context: HashMap<SpanContextId, usize>,
    /// Each file is loaded once, however often it is imported.
    loaded: HashMap<PathBuf, Result<Thunk<'p>, usize>>,
}

/// A library that failed to load: the error is kept because the evaluator only learns that
/// the import failed.
struct FailedImport {
    error: JsonnetError,
}

impl<'p> Files<'_, 'p> {
    fn load(&mut self, program: &mut Program<'p>, path: &Path, text: String) -> Result<Thunk<'p>, LoadError> {
        let (context, _) = program.span_manager_mut().insert_source_context(text.len());
        self.by_context.insert(context, self.sources.len());
        let this_file = path.to_string_lossy().into_owned();
        let result = program.load_source(context, text.as_bytes(), true, &this_file);
        self.sources.push((path.to_owned(), text));
        result
    }

    /// Where an import of `name` from the file holding `from` points, if the file exists.
    fn resolve(&self, program: &Program<'p>, from: SpanId, name: &str) -> Option<PathBuf> {
        let (context, _, _) = program.span_manager().get_span(from);
        let importer_dir = self
            .by_context
            .get(&context)
            .and_then(|&i| self.sources[i].0.parent())
            .map(Path::to_owned)
            .unwrap_or_default();
        std::iter::once(importer_dir).chain(self.import_dirs.iter().cloned()).map(|dir| dir.join(name)).find(|p| p.is_file())
    }

    fn position(&self, program: &Program<'p>, span: SpanId) -> (PathBuf, u64, u64, Option<String>) {
        let (context, start, _) = program.span_manager().get_span(span);
        let Some((file, text)) = self.by_context.get(&context).map(|&i| &self.sources[i]) else {
            return (PathBuf::from("<jsonnet standard library>"), 0, 0, None);
        };
        let before = &text[..start.min(text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() as u64 + 1;
        let column = before[line_start..].chars().count() as u64 + 1;
        let source_line = text[line_start..].lines().next().map(str::to_owned);
        (file.clone(), line, column, source_line)
    }

    fn error_at(&self, program: &Program<'p>, span: Option<SpanId>, message: String) -> JsonnetError {
        let fallback = || self.sources.first().map(|(f, _)| f.clone()).unwrap_or_default();
        match span {
            Some(span) => {
                let (file, line, column, source_line) = self.position(program, span);
                JsonnetError { file, line, column, message, source_line }
            }
            None => JsonnetError { file: fallback(), line: 0, column: 0, message, source_line: None },
        }
    }

    fn load_error(&self, program: &Program<'p>, error: &LoadError) -> JsonnetError {
        let (span, message) = match error {
            LoadError::Lex(e) => lex_message(e),
            LoadError::Parse(e) => self.parse_message(program, e),
            LoadError::Analyze(e) => analyze_message(e),
        };
        self.error_at(program, Some(span), message)
    }

    fn parse_message(&self, program: &Program<'p>, error: &ParseError) -> (SpanId, String) {
        let ParseError::Expected { span, expected, instead } = error;
        let found = match instead {
            ActualToken::EndOfFile => "the end of the file".to_owned(),
            ActualToken::Ident(name) => format!("`{name}`"),
            ActualToken::OtherOp(op) => format!("`{op}`"),
            _ => {
                let (file, line, column, source_line) = self.position(program, *span);
                let _ = (file, line);
                let token: String = source_line
                    .unwrap_or_default()
                    .chars()
                    .skip(column.saturating_sub(1) as usize)
                    .take_while(|c| !c.is_whitespace())
                    .collect();
                format!("`{token}`")
            }
        };
        let wanted = if expected.contains(&ExpectedToken::Expr) {
            ", expected an expression"
        } else if expected.contains(&ExpectedToken::Ident) {
            ", expected a name"
        } else if expected.contains(&ExpectedToken::EndOfFile) {
            ", expected the end of the file"
        } else {
            ""
        };
        (*span, format!("syntax error: unexpected {found}{wanted}"))
    }

    fn eval_error(&self, program: &Program<'p>, error: &EvalError) -> JsonnetError {
        if let EvalErrorKind::ImportFailed { path, .. } = &error.kind
            && let Some(Err(i)) = self.resolve_failed(path)
        {
            return self.failed[i].error.clone();
        }
        let (span, message) = eval_message(&error.kind);
        // Errors without a place of their own (a failed comparison, say) are blamed on the
        // innermost expression of the stack trace.
        let span = span.or_else(|| error.stack_trace.iter().find_map(trace_span));
        self.error_at(program, span, message)
    }
}
