//! Input checks shared by the operations. Each failure names the field and says what to do.

use crate::error::OpError;

/// Longest short text: names, titles, places.
pub const SHORT_TEXT: usize = 200;
/// Longest free text: notes, summaries, descriptions.
pub const LONG_TEXT: usize = 20_000;

/// A required short text, trimmed.
pub fn required(field: &'static str, value: &str) -> Result<String, OpError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(OpError::invalid(field, "cannot be empty"));
    }
    max_len(field, v, SHORT_TEXT)
}

/// An optional short text, trimmed.
pub fn short(field: &'static str, value: &str) -> Result<String, OpError> {
    max_len(field, value.trim(), SHORT_TEXT)
}

/// A required free text, trimmed.
pub fn required_long(field: &'static str, value: &str) -> Result<String, OpError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(OpError::invalid(field, "cannot be empty"));
    }
    max_len(field, v, LONG_TEXT)
}

/// An optional free text, trimmed.
pub fn long(field: &'static str, value: &str) -> Result<String, OpError> {
    max_len(field, value.trim(), LONG_TEXT)
}

fn max_len(field: &'static str, v: &str, max: usize) -> Result<String, OpError> {
    let n = v.chars().count();
    if n > max {
        return Err(OpError::invalid(
            field,
            format!("is {n} characters long; shorten it to {max} or fewer"),
        ));
    }
    Ok(v.to_string())
}

/// A whole number within an inclusive range.
pub fn in_range<T: PartialOrd + std::fmt::Display + Copy>(
    field: &'static str,
    value: T,
    min: T,
    max: T,
) -> Result<T, OpError> {
    if value < min || value > max {
        return Err(OpError::invalid(
            field,
            format!("must be between {min} and {max} (it was {value})"),
        ));
    }
    Ok(value)
}

/// Money in pence: never negative.
pub fn pence(field: &'static str, value: i64) -> Result<i64, OpError> {
    if value < 0 {
        return Err(OpError::invalid(
            field,
            "cannot be negative: enter the amount spent in pence",
        ));
    }
    in_range(field, value, 0, 10_000_000)
}
