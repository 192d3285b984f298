//! The embedded Jsonnet evaluator, behind one function: a file in, JSON out, or an error
//! pointing at a file, line and column. Nothing else in the engine knows which Jsonnet
//! implementation runs.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::input::{self, InputProblem, Limit};

use rsjsonnet_lang::arena::Arena;
use rsjsonnet_lang::ast::{BinaryOp, UnaryOp};
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

/// Evaluates Jsonnet files to JSON, all in one evaluator: a library the files share is read,
/// parsed and evaluated once, not once per file. `import "x"` is resolved against the
/// importing file's folder first, then against each of `import_dirs` in order; imported files
/// must be regular files inside `root` (see [`crate::input`]).
pub struct Evaluator<'d> {
    root: &'d Path,
    import_dirs: &'d [PathBuf],
}

impl<'d> Evaluator<'d> {
    pub fn new(root: &'d Path, import_dirs: &'d [PathBuf]) -> Self {
        Evaluator { root, import_dirs }
    }

    /// Each `(path, text)` evaluated to JSON, in order; one file's error does not stop the
    /// others. Jsonnet is pure, so sharing the evaluator's cache of imports changes no value.
    pub fn evaluate_each(&self, files: Vec<(PathBuf, String)>) -> Vec<Result<serde_json::Value, JsonnetError>> {
        let arena = Arena::new();
        let mut program = Program::new(&arena);
        let mut loaded = Files::new(self.root, self.import_dirs);
        files.into_iter().map(|(path, text)| loaded.evaluate(&mut program, &path, text)).collect()
    }
}

/// The files one evaluation has read, so that spans can be turned into positions.
struct Files<'d, 'p> {
    root: &'d Path,
    import_dirs: &'d [PathBuf],
    sources: Vec<(PathBuf, String)>,
    by_context: HashMap<SpanContextId, usize>,
    /// Each file is loaded once, however often it is imported.
    loaded: HashMap<PathBuf, Thunk<'p>>,
    /// Why an import failed: the evaluator itself only learns that it did.
    import_failure: Option<JsonnetError>,
    /// The file being evaluated, blamed for errors that name no place.
    current: PathBuf,
}

impl<'d, 'p> Files<'d, 'p> {
    fn new(root: &'d Path, import_dirs: &'d [PathBuf]) -> Self {
        Files {
            root,
            import_dirs,
            sources: Vec::new(),
            by_context: HashMap::new(),
            loaded: HashMap::new(),
            import_failure: None,
            current: PathBuf::new(),
        }
    }

    /// Evaluates one file, reusing every import an earlier file loaded.
    fn evaluate(
        &mut self,
        program: &mut Program<'p>,
        path: &Path,
        text: String,
    ) -> Result<serde_json::Value, JsonnetError> {
        self.current = path.to_owned();
        self.import_failure = None;
        let thunk = self.load(program, path, text)?;
        let value = program.eval_value(&thunk, self).map_err(|e| self.eval_error(program, &e))?;
        let json = program.manifest_json(&value, false).map_err(|e| self.eval_error(program, &e))?;
        serde_json::from_str(&json).map_err(|e| JsonnetError {
            file: path.to_owned(),
            line: 0,
            column: 0,
            message: format!("the evaluator produced invalid JSON: {e}"),
            source_line: None,
        })
    }

    fn load(&mut self, program: &mut Program<'p>, path: &Path, text: String) -> Result<Thunk<'p>, JsonnetError> {
        let (context, _) = program.span_manager_mut().insert_source_context(text.len());
        self.by_context.insert(context, self.sources.len());
        let this_file = path.to_string_lossy().into_owned();
        let result = program.load_source(context, text.as_bytes(), true, &this_file);
        self.sources.push((path.to_owned(), text));
        result.map_err(|e| self.load_error(program, &e))
    }

    /// Where `import "name"` in the file holding `from` points: beside that file first, then
    /// in the import folders.
    fn resolve(&self, program: &Program<'p>, from: SpanId, name: &str) -> Option<PathBuf> {
        let (context, _, _) = program.span_manager().get_span(from);
        let beside = self.by_context.get(&context).and_then(|&i| self.sources[i].0.parent()).map(Path::to_owned);
        // Each place looked in is noted, found or not: a file appearing in an earlier one
        // would change what the import means.
        beside.into_iter().chain(self.import_dirs.iter().cloned()).map(|dir| dir.join(name)).find(|p| {
            crate::cache::deps::listing(self.root, p, false, true);
            p.is_file()
        })
    }

    /// The file, line, column and line text of the start of `span`.
    fn position(&self, program: &Program<'p>, span: SpanId) -> Option<(PathBuf, u64, u64, String)> {
        let (context, start, _) = program.span_manager().get_span(span);
        let (file, text) = self.by_context.get(&context).map(|&i| &self.sources[i])?;
        let before = text.get(..start)?;
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        let line = before.matches('\n').count() as u64 + 1;
        let column = before[line_start..].chars().count() as u64 + 1;
        let source_line = text[line_start..].lines().next().unwrap_or_default().to_owned();
        Some((file.clone(), line, column, source_line))
    }

    fn error_at(&self, program: &Program<'p>, span: Option<SpanId>, message: String) -> JsonnetError {
        match span.and_then(|s| self.position(program, s)) {
            Some((file, line, column, source_line)) => {
                JsonnetError { file, line, column, message, source_line: Some(source_line) }
            }
            None => JsonnetError { file: self.current.clone(), line: 0, column: 0, message, source_line: None },
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
                let (context, start, end) = program.span_manager().get_span(*span);
                let token =
                    self.by_context.get(&context).and_then(|&i| self.sources[i].1.get(start..end)).unwrap_or("a token");
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
        if let (EvalErrorKind::ImportFailed { .. }, Some(failure)) = (&error.kind, &self.import_failure) {
            return failure.clone();
        }
        let (span, message) = eval_message(&error.kind);
        // Errors without a place of their own (a failed comparison, say) are blamed on the
        // innermost expression of the stack trace.
        let span = span.or_else(|| error.stack_trace.iter().rev().find_map(trace_span));
        self.error_at(program, span, message)
    }
}

impl<'p> Callbacks<'p> for Files<'_, 'p> {
    fn import(&mut self, program: &mut Program<'p>, from: SpanId, path: &str) -> Result<Thunk<'p>, ImportError> {
        let file = self.resolve(program, from, path).ok_or(ImportError)?;
        if let Some(thunk) = self.loaded.get(&file) {
            return Ok(thunk.clone());
        }
        let text = self.read(program, from, &file)?;
        match self.load(program, &file, text) {
            Ok(thunk) => {
                self.loaded.insert(file, thunk.clone());
                Ok(thunk)
            }
            Err(e) => {
                self.import_failure.get_or_insert(e);
                Err(ImportError)
            }
        }
    }

    fn import_str(&mut self, program: &mut Program<'p>, from: SpanId, path: &str) -> Result<String, ImportError> {
        let file = self.resolve(program, from, path).ok_or(ImportError)?;
        self.read(program, from, &file)
    }

    fn import_bin(&mut self, program: &mut Program<'p>, from: SpanId, path: &str) -> Result<Vec<u8>, ImportError> {
        let file = self.resolve(program, from, path).ok_or(ImportError)?;
        input::read_bytes(self.root, &file, Limit::Dashboard).map_err(|e| self.import_error(program, from, &file, e))
    }

    fn trace(&mut self, _: &mut Program<'p>, _: &str, _: &[EvalStackTraceItem]) {}

    fn native_call(
        &mut self,
        _: &mut Program<'p>,
        _: InternedStr<'p>,
        _: &[Value<'p>],
    ) -> Result<Value<'p>, NativeError> {
        // No native functions are registered, so none can be called.
        Err(NativeError)
    }
}

impl<'p> Files<'_, 'p> {
    fn read(&mut self, program: &Program<'p>, from: SpanId, file: &Path) -> Result<String, ImportError> {
        input::read_text(self.root, file, Limit::Dashboard).map_err(|e| self.import_error(program, from, file, e))
    }

    fn import_error(&mut self, program: &Program<'p>, from: SpanId, file: &Path, e: InputProblem) -> ImportError {
        let shown = file.strip_prefix(self.root).unwrap_or(file);
        let error = self.error_at(program, Some(from), format!("cannot import {}: {e}", shown.display()));
        self.import_failure.get_or_insert(error);
        ImportError
    }
}

fn trace_span(item: &EvalStackTraceItem) -> Option<SpanId> {
    match item {
        EvalStackTraceItem::Expr { span }
        | EvalStackTraceItem::Variable { span, .. }
        | EvalStackTraceItem::Import { span } => Some(*span),
        EvalStackTraceItem::Call { span, .. }
        | EvalStackTraceItem::ArrayItem { span, .. }
        | EvalStackTraceItem::ObjectField { span, .. } => *span,
        _ => None,
    }
}

/// A value of type `t`, with its article, for messages.
fn type_name(t: EvalErrorValueType) -> &'static str {
    match t {
        EvalErrorValueType::Null => "null",
        EvalErrorValueType::Bool => "a boolean",
        EvalErrorValueType::Number => "a number",
        EvalErrorValueType::String => "a string",
        EvalErrorValueType::Array => "an array",
        EvalErrorValueType::Object => "an object",
        EvalErrorValueType::Function => "a function",
    }
}

fn lex_message(error: &LexError) -> (SpanId, String) {
    match error {
        LexError::InvalidChar { span, chr } => (*span, format!("unexpected character `{chr}`")),
        LexError::InvalidUtf8 { span, .. } => (*span, "invalid UTF-8".into()),
        LexError::UnfinishedMultilineComment { span } => (*span, "comment never closed with `*/`".into()),
        LexError::LeadingZeroInNumber { span } => (*span, "number with a leading zero".into()),
        LexError::MissingFracDigits { span } => (*span, "missing digits after `.`".into()),
        LexError::MissingExpDigits { span } => (*span, "missing exponent digits".into()),
        LexError::MissingDigitAfterUnderscore { span } => (*span, "missing digit after `_`".into()),
        LexError::ExpOverflow { span } => (*span, "exponent too large".into()),
        LexError::InvalidEscapeInString { span, chr } => (*span, format!("invalid escape `\\{chr}` in string")),
        LexError::IncompleteUnicodeEscape { span } => (*span, "incomplete `\\u` escape".into()),
        LexError::InvalidUtf16EscapeSequence { span, .. } => (*span, "invalid `\\u` escape".into()),
        LexError::UnfinishedString { span } => (*span, "string never closed".into()),
        LexError::MissingLineBreakAfterTextBlockStart { span } => (*span, "`|||` must end its line".into()),
        LexError::MissingWhitespaceTextBlockStart { span } => (*span, "text block lines must be indented".into()),
        LexError::InvalidTextBlockTermination { span } => (*span, "text block not closed with `|||`".into()),
    }
}

fn analyze_message(error: &AnalyzeError) -> (SpanId, String) {
    match error {
        AnalyzeError::UnknownVariable { span, name } => (*span, format!("unknown variable `{name}`")),
        AnalyzeError::SelfOutsideObject { self_span } => (*self_span, "`self` outside an object".into()),
        AnalyzeError::SuperOutsideObject { super_span } => (*super_span, "`super` outside an object".into()),
        AnalyzeError::DollarOutsideObject { dollar_span } => (*dollar_span, "`$` outside an object".into()),
        AnalyzeError::RepeatedLocalName { repeated_span, name, .. } => {
            (*repeated_span, format!("local `{name}` is defined twice"))
        }
        AnalyzeError::RepeatedFieldName { repeated_span, name, .. } => {
            (*repeated_span, format!("field `{name}` is defined twice"))
        }
        AnalyzeError::RepeatedParamName { repeated_span, name, .. } => {
            (*repeated_span, format!("parameter `{name}` is declared twice"))
        }
        AnalyzeError::PositionalArgAfterNamed { arg_span } => {
            (*arg_span, "positional argument after a named one".into())
        }
        AnalyzeError::TextBlockAsImportPath { span } => (*span, "an import path cannot be a text block".into()),
        AnalyzeError::ComputedImportPath { span } => (*span, "an import path must be a literal string".into()),
    }
}

/// The message of an evaluation error, and the place it names, if any.
fn eval_message(kind: &EvalErrorKind) -> (Option<SpanId>, String) {
    use EvalErrorKind as K;
    match kind {
        K::StackOverflow => (None, "stack overflow (unbounded recursion?)".into()),
        K::InfiniteRecursion => (None, "infinite recursion".into()),
        K::InvalidIndexedType { span, got_type } => (Some(*span), format!("cannot index {}", type_name(*got_type))),
        K::InvalidSlicedType { span, got_type } => (Some(*span), format!("cannot slice {}", type_name(*got_type))),
        K::SliceIndexOrStepIsNotNumber { span, got_type } => {
            (Some(*span), format!("slice index must be a number, not {}", type_name(*got_type)))
        }
        K::StringIndexIsNotNumber { span, got_type } | K::ArrayIndexIsNotNumber { span, got_type } => {
            (Some(*span), format!("index must be a number, not {}", type_name(*got_type)))
        }
        K::NumericIndexIsNotValid { span, index } => (Some(*span), format!("invalid index {index}")),
        K::NumericIndexOutOfRange { span, index, length } => {
            (Some(*span), format!("index {index} is out of range for length {length}"))
        }
        K::ObjectIndexIsNotString { span, got_type } => {
            (Some(*span), format!("field name must be a string, not {}", type_name(*got_type)))
        }
        K::RepeatedFieldName { span, name } => (Some(*span), format!("field `{name}` is defined twice")),
        K::FieldNameIsNotString { span, got_type } => {
            (Some(*span), format!("field name must be a string, not {}", type_name(*got_type)))
        }
        K::UnknownObjectField { span, field_name } => (Some(*span), format!("no field `{field_name}`")),
        K::FieldOfNonObject { span } => (Some(*span), "field access on a value that is not an object".into()),
        K::SuperWithoutSuperObject { span } => (Some(*span), "`super` without a super object".into()),
        K::ForSpecValueIsNotArray { span, got_type } => {
            (Some(*span), format!("`for` needs an array, not {}", type_name(*got_type)))
        }
        K::CondIsNotBool { span, got_type } => {
            (Some(*span), format!("condition must be a boolean, not {}", type_name(*got_type)))
        }
        K::CalleeIsNotFunction { span, got_type } => (*span, format!("cannot call {}", type_name(*got_type))),
        K::TooManyCallArgs { span, num_params } => {
            (*span, format!("too many arguments: the function takes {num_params}"))
        }
        K::UnknownCallParam { span, param_name } => (*span, format!("no parameter `{param_name}`")),
        K::RepeatedCallParam { span, param_name } => (*span, format!("argument `{param_name}` is given twice")),
        K::CallParamNotBound { span, param_name } => (*span, format!("missing argument `{param_name}`")),
        K::NativeCallFailed => (None, "native function failed".into()),
        K::InvalidUnaryOpType { span, op, rhs_type } => {
            (Some(*span), format!("cannot apply `{}` to {}", unary_symbol(*op), type_name(*rhs_type)))
        }
        K::InvalidBinaryOpTypes { span, op, lhs_type, rhs_type } => (
            *span,
            format!("cannot apply `{}` to {} and {}", binary_symbol(*op), type_name(*lhs_type), type_name(*rhs_type)),
        ),
        K::NumberNotBitwiseSafe { span } => (*span, "number too large for a bitwise operation".into()),
        K::NumberOverflow { span } => (*span, "number overflow".into()),
        K::NumberNan { span } => (*span, "not a number (NaN)".into()),
        K::DivByZero { span } => (*span, "division by zero".into()),
        K::ShiftByNegative { span } => (*span, "shift by a negative amount".into()),
        K::InvalidStdFuncArgType { func_name, arg_index, got_type, .. } => {
            (None, format!("std.{func_name}: argument {} has the wrong type ({})", arg_index + 1, type_name(*got_type)))
        }
        K::AssertFailed { span, message } => (
            Some(*span),
            message.as_ref().map_or_else(|| "assertion failed".into(), |m| format!("assertion failed: {m}")),
        ),
        K::AssertEqualFailed { lhs, rhs } => (None, format!("assertEqual failed: {lhs} != {rhs}")),
        K::ExplicitError { span, message } => (Some(*span), message.clone()),
        K::ImportFailed { span, path } => (
            Some(*span),
            format!("cannot import `{path}`: no such file beside the importing file or in an import folder"),
        ),
        K::UnknownExtVar { name } => (None, format!("unknown external variable `{name}`")),
        K::ManifestFunction => (None, "a function cannot be turned into JSON".into()),
        K::CompareNullInequality | K::CompareBooleanInequality | K::CompareObjectInequality | K::CompareFunctions => {
            (None, "these values cannot be ordered".into())
        }
        K::CompareDifferentTypesInequality { lhs_type, rhs_type } => {
            (None, format!("cannot compare {} with {}", type_name(*lhs_type), type_name(*rhs_type)))
        }
        K::PrimitiveEqualsNonPrimitive { got_type } => (None, format!("cannot compare with {}", type_name(*got_type))),
        K::Other { span, message } => (*span, message.clone()),
    }
}

fn unary_symbol(op: UnaryOp) -> &'static str {
    match op {
        UnaryOp::Minus => "-",
        UnaryOp::Plus => "+",
        UnaryOp::BitwiseNot => "~",
        UnaryOp::LogicNot => "!",
    }
}

fn binary_symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Rem => "%",
        BinaryOp::Shl => "<<",
        BinaryOp::Shr => ">>",
        BinaryOp::Lt => "<",
        BinaryOp::Le => "<=",
        BinaryOp::Gt => ">",
        BinaryOp::Ge => ">=",
        BinaryOp::Eq => "==",
        BinaryOp::Ne => "!=",
        BinaryOp::In => "in",
        BinaryOp::BitwiseAnd => "&",
        BinaryOp::BitwiseOr => "|",
        BinaryOp::BitwiseXor => "^",
        BinaryOp::LogicAnd => "&&",
        BinaryOp::LogicOr => "||",
    }
}
