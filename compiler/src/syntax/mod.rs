//! Source text to AST: the logos lexer (`lexer.rs`) and the lalrpop grammar (`grammar.lalrpop`).
pub mod ast;
