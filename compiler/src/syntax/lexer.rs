//! The logos lexer: source text to raw tokens, including the validation of number
//! literals and string escapes (spec §1). Newline handling lives in `layout.rs`.

use logos::Logos;
use nx_runtime::DType;

/// A problem found while lexing one token. The span is the token's, taken from the lexer.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum LexError {
    /// A character that starts no token; the message is built from the source text.
    #[default]
    UnexpectedChar,
    /// A malformed token: a message and an optional hint.
    Invalid {
        message: String,
        hint: Option<String>,
    },
}

impl LexError {
    fn invalid(message: impl Into<String>) -> LexError {
        LexError::Invalid {
            message: message.into(),
            hint: None,
        }
    }

    fn invalid_with_hint(message: impl Into<String>, hint: impl Into<String>) -> LexError {
        LexError::Invalid {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

/// A number literal, validated. Integer literals with a float suffix (`3f64`, `0x10_f32`)
/// become `Float`, so that the checker rounds every float literal from its decimal digits.
#[derive(Clone, Debug, PartialEq)]
pub enum NumLit {
    Int {
        value: u128,
        suffix: Option<DType>,
    },
    Float {
        /// Decimal digits, `.` and exponent, with underscores removed.
        text: String,
        suffix: Option<DType>,
    },
}

/// The tokens of nx. `Newline` is significant; `layout.rs` decides which newlines reach the
/// parser. `Error` never comes out of logos: the layout pass puts it where a malformed
/// token was, after reporting it, so that the parser can continue without a second error.
#[derive(Logos, Clone, Debug, PartialEq)]
#[logos(error = LexError)]
#[logos(skip r"[ \t\r\f]+")]
#[logos(skip(r"#[^\n]*", allow_greedy = true))]
pub enum Tok {
    #[token("\n")]
    Newline,

    // Keywords.
    #[token("let")]
    Let,
    #[token("fn")]
    Fn,
    #[token("return")]
    Return,
    #[token("if")]
    If,
    #[token("else")]
    Else,
    #[token("for")]
    For,
    #[token("in")]
    In,
    #[token("while")]
    While,
    #[token("break")]
    Break,
    #[token("continue")]
    Continue,
    #[token("import")]
    Import,
    #[token("as")]
    As,
    #[token("and")]
    And,
    #[token("or")]
    Or,
    #[token("not")]
    Not,
    #[token("true")]
    True,
    #[token("false")]
    False,
    #[token("assert")]
    Assert,

    // Dtype names are reserved words.
    #[token("bool", |_| DType::Bool)]
    #[token("i8", |_| DType::I8)]
    #[token("i16", |_| DType::I16)]
    #[token("i32", |_| DType::I32)]
    #[token("i64", |_| DType::I64)]
    #[token("u8", |_| DType::U8)]
    #[token("u16", |_| DType::U16)]
    #[token("u32", |_| DType::U32)]
    #[token("u64", |_| DType::U64)]
    #[token("f32", |_| DType::F32)]
    #[token("f64", |_| DType::F64)]
    DType(DType),

    #[regex(r"[A-Za-z_][A-Za-z0-9_]*", |lex| lex.slice().to_string())]
    Ident(String),

    /// Everything that starts with a digit is one token, checked by `parse_number`; the
    /// `.` part needs a digit on both sides so that `0..n` is `0`, `..`, `n`.
    #[regex(
        r"[0-9][0-9_]*(\.[0-9][0-9_]*)?([eE][+-]?[0-9][0-9_]*)?[A-Za-z0-9_]*",
        |lex| parse_number(lex.slice())
    )]
    Number(NumLit),

    #[regex(r#""([^"\\\n]|\\[^\n])*""#, |lex| unescape(lex.slice()))]
    Str(String),
    #[regex(r#""([^"\\\n]|\\[^\n])*"#, unterminated_string)]
    UnterminatedStr,

    // Brackets and punctuation.
    #[token("(")]
    LParen,
    #[token(")")]
    RParen,
    #[token("[")]
    LBracket,
    #[token("]")]
    RBracket,
    #[token("{")]
    LBrace,
    #[token("}")]
    RBrace,
    #[token(",")]
    Comma,
    #[token(";")]
    Semi,
    #[token(":")]
    Colon,
    #[token(".")]
    Dot,
    #[token("..")]
    DotDot,
    #[token("...")]
    Ellipsis,
    #[token("->")]
    Arrow,

    // Operators.
    #[token("=")]
    Assign,
    #[token("==")]
    EqEq,
    #[token("!=")]
    NotEq,
    #[token("<")]
    Lt,
    #[token("<=")]
    Le,
    #[token(">")]
    Gt,
    #[token(">=")]
    Ge,
    #[token("+")]
    Plus,
    #[token("-")]
    Minus,
    #[token("*")]
    Star,
    #[token("/")]
    Slash,
    #[token("//")]
    SlashSlash,
    #[token("%")]
    Percent,
    #[token("**")]
    StarStar,
    #[token("@")]
    At,
    #[token("&")]
    Amp,
    #[token("|")]
    Pipe,
    #[token("^")]
    Caret,
    #[token("~")]
    Tilde,
    #[token("<<")]
    Shl,
    #[token(">>")]
    Shr,

    // Compound assignments.
    #[token("+=")]
    PlusAssign,
    #[token("-=")]
    MinusAssign,
    #[token("*=")]
    StarAssign,
    #[token("/=")]
    SlashAssign,
    #[token("//=")]
    SlashSlashAssign,
    #[token("%=")]
    PercentAssign,
    #[token("**=")]
    StarStarAssign,
    #[token("<<=")]
    ShlAssign,
    #[token(">>=")]
    ShrAssign,
    #[token("&=")]
    AmpAssign,
    #[token("|=")]
    PipeAssign,
    #[token("^=")]
    CaretAssign,

    /// A malformed token that has been reported already (inserted by `layout.rs`).
    Error,
}

impl Tok {
    /// True for tokens that open a bracket.
    pub fn is_open(&self) -> bool {
        matches!(self, Tok::LParen | Tok::LBracket | Tok::LBrace)
    }

    /// The closing token of an opening bracket.
    pub fn closer(&self) -> Option<Tok> {
        match self {
            Tok::LParen => Some(Tok::RParen),
            Tok::LBracket => Some(Tok::RBracket),
            Tok::LBrace => Some(Tok::RBrace),
            _ => None,
        }
    }

    pub fn is_close(&self) -> bool {
        matches!(self, Tok::RParen | Tok::RBracket | Tok::RBrace)
    }

    /// True for tokens after which an expression cannot end: binary and prefix operators,
    /// assignments, `,`, `..`, `->`, `as`, `else`... Used by the REPL's continuation rule
    /// and by the expression-complexity limit.
    pub fn is_operator(&self) -> bool {
        matches!(
            self,
            Tok::And
                | Tok::Or
                | Tok::Not
                | Tok::As
                | Tok::EqEq
                | Tok::NotEq
                | Tok::Lt
                | Tok::Le
                | Tok::Gt
                | Tok::Ge
                | Tok::Plus
                | Tok::Minus
                | Tok::Star
                | Tok::Slash
                | Tok::SlashSlash
                | Tok::Percent
                | Tok::StarStar
                | Tok::At
                | Tok::Amp
                | Tok::Pipe
                | Tok::Caret
                | Tok::Tilde
                | Tok::Shl
                | Tok::Shr
        )
    }

    pub fn is_assignment(&self) -> bool {
        matches!(
            self,
            Tok::Assign
                | Tok::PlusAssign
                | Tok::MinusAssign
                | Tok::StarAssign
                | Tok::SlashAssign
                | Tok::SlashSlashAssign
                | Tok::PercentAssign
                | Tok::StarStarAssign
                | Tok::ShlAssign
                | Tok::ShrAssign
                | Tok::AmpAssign
                | Tok::PipeAssign
                | Tok::CaretAssign
        )
    }
}

/// A dtype usable as a literal suffix (`bool` is not one).
fn suffix_dtype(name: &str) -> Option<DType> {
    match DType::from_name(name) {
        Some(DType::Bool) | None => None,
        Some(dtype) => Some(dtype),
    }
}

fn is_float_dtype(dtype: DType) -> bool {
    matches!(dtype, DType::F32 | DType::F64)
}

/// Checks and converts the text of a number token (spec §1).
pub fn parse_number(text: &str) -> Result<NumLit, LexError> {
    let bytes = text.as_bytes();
    if bytes.len() >= 2 && bytes[0] == b'0' {
        let radix = match bytes[1] {
            b'x' | b'X' => Some((16, "hexadecimal")),
            b'o' | b'O' => Some((8, "octal")),
            b'b' | b'B' => Some((2, "binary")),
            _ => None,
        };
        if let Some((radix, radix_name)) = radix {
            return parse_radix_number(text, &text[2..], radix, radix_name);
        }
    }
    parse_decimal_number(text)
}

fn parse_radix_number(
    text: &str,
    body: &str,
    radix: u32,
    radix_name: &str,
) -> Result<NumLit, LexError> {
    // The suffix follows the last underscore, if what follows it is a dtype name.
    let (digits, suffix) = match body.rfind('_') {
        Some(pos) => match suffix_dtype(&body[pos + 1..]) {
            Some(dtype) => (&body[..pos], Some(dtype)),
            None => (body, None),
        },
        None => (body, None),
    };
    let mut value: u128 = 0;
    let mut n_digits = 0;
    for ch in digits.chars() {
        if ch == '_' {
            continue;
        }
        let Some(digit) = ch.to_digit(radix) else {
            let hint = if ch.is_ascii_alphabetic() {
                format!(
                    "a suffix on a {radix_name} literal follows an underscore, as in `{}_u8`",
                    &text[..2]
                )
            } else {
                format!("{radix_name} digits are {}", radix_digits(radix))
            };
            return Err(LexError::invalid_with_hint(
                format!("invalid digit `{ch}` in {radix_name} literal `{text}`"),
                hint,
            ));
        };
        n_digits += 1;
        value = value
            .checked_mul(radix as u128)
            .and_then(|v| v.checked_add(digit as u128))
            .ok_or_else(|| too_large(text))?;
    }
    if n_digits == 0 {
        return Err(LexError::invalid(format!(
            "{radix_name} literal `{text}` has no digits"
        )));
    }
    Ok(match suffix {
        Some(dtype) if is_float_dtype(dtype) => NumLit::Float {
            text: value.to_string(),
            suffix: Some(dtype),
        },
        _ => NumLit::Int { value, suffix },
    })
}

fn radix_digits(radix: u32) -> &'static str {
    match radix {
        16 => "`0`-`9` and `a`-`f`",
        8 => "`0`-`7`",
        _ => "`0` and `1`",
    }
}

fn too_large(text: &str) -> LexError {
    LexError::invalid_with_hint(
        format!("integer literal `{text}` is too large"),
        "integer literals must fit in 128 bits; the largest dtype is 64 bits",
    )
}

fn parse_decimal_number(text: &str) -> Result<NumLit, LexError> {
    let bytes = text.as_bytes();
    let mut pos = 0;
    let is_digit_or_underscore = |b: u8| b.is_ascii_digit() || b == b'_';
    while pos < bytes.len() && is_digit_or_underscore(bytes[pos]) {
        pos += 1;
    }
    let mut is_float = false;
    if pos < bytes.len() && bytes[pos] == b'.' {
        is_float = true;
        pos += 1;
        while pos < bytes.len() && is_digit_or_underscore(bytes[pos]) {
            pos += 1;
        }
    }
    if pos < bytes.len() && (bytes[pos] == b'e' || bytes[pos] == b'E') {
        let mut exp_pos = pos + 1;
        if exp_pos < bytes.len() && (bytes[exp_pos] == b'+' || bytes[exp_pos] == b'-') {
            exp_pos += 1;
        }
        if exp_pos < bytes.len() && bytes[exp_pos].is_ascii_digit() {
            is_float = true;
            pos = exp_pos;
            while pos < bytes.len() && is_digit_or_underscore(bytes[pos]) {
                pos += 1;
            }
        }
    }
    let number: String = text[..pos].chars().filter(|&c| c != '_').collect();
    let suffix_text = &text[pos..];
    let suffix = if suffix_text.is_empty() {
        None
    } else {
        match suffix_dtype(suffix_text) {
            Some(dtype) => Some(dtype),
            None => {
                return Err(LexError::invalid_with_hint(
                    format!("invalid suffix `{suffix_text}` on number literal `{text}`"),
                    "a suffix is a numeric dtype name: `7u8`, `1i32`, `2.5f32`, `3f64`",
                ));
            }
        }
    };
    if is_float {
        if let Some(dtype) = suffix
            && !is_float_dtype(dtype)
        {
            return Err(LexError::invalid_with_hint(
                format!(
                    "float literal `{text}` cannot have the integer suffix `{}`",
                    dtype.name()
                ),
                "use `f32` or `f64`, or convert with `as`",
            ));
        }
        return Ok(NumLit::Float {
            text: number,
            suffix,
        });
    }
    if let Some(dtype) = suffix
        && is_float_dtype(dtype)
    {
        return Ok(NumLit::Float {
            text: number,
            suffix,
        });
    }
    let value = number.parse::<u128>().map_err(|_| too_large(text))?;
    Ok(NumLit::Int { value, suffix })
}

fn unterminated_string(_: &mut logos::Lexer<Tok>) -> Result<(), LexError> {
    Err(LexError::invalid_with_hint(
        "unterminated string literal",
        "close it with `\"` on the same line",
    ))
}

/// Removes the quotes of a string literal and resolves its escapes.
fn unescape(text: &str) -> Result<String, LexError> {
    let inner = &text[1..text.len() - 1];
    let mut out = String::with_capacity(inner.len());
    let mut chars = inner.chars();
    while let Some(ch) = chars.next() {
        if ch != '\\' {
            out.push(ch);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('\\') => out.push('\\'),
            Some('"') => out.push('"'),
            Some(other) => {
                return Err(LexError::invalid_with_hint(
                    format!("unknown escape `\\{other}` in string literal"),
                    "the escapes are `\\n`, `\\t`, `\\\\` and `\\\"`",
                ));
            }
            None => return Err(LexError::invalid("string literal ends with `\\`")),
        }
    }
    Ok(out)
}

#[cfg(test)]
impl Tok {
    /// True when `text` lexes as exactly one identifier (not a keyword or dtype).
    pub fn lexer_is_ident(text: &str) -> bool {
        let mut lexer = Tok::lexer(text);
        matches!(lexer.next(), Some(Ok(Tok::Ident(_)))) && lexer.next().is_none()
    }
}
