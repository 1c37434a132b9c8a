//! Amounts of money (credits, prices) in millionths of the currency unit: whole numbers, so
//! a ledger adds up exactly (WhatsApp's rate cards have four decimals: 0.0858).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Millionths of the currency unit; negative for what leaves the balance.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Money(pub i64);

const UNIT: i64 = 1_000_000;

impl Money {
    pub const ZERO: Self = Self(0);

    /// "12", "12.5", "0.0858", "-3": at most six decimals.
    pub fn parse(text: &str) -> Result<Self, String> {
        let t = text.trim().replace(',', "");
        let bad = || format!("{text:?} is not an amount: write it as 50 or 0.0858");
        let (negative, t) = match t.strip_prefix('-') {
            Some(rest) => (true, rest.to_owned()),
            None => (false, t),
        };
        let (whole, frac) = t.split_once('.').unwrap_or((t.as_str(), ""));
        if whole.is_empty() && frac.is_empty()
            || !whole.chars().all(|c| c.is_ascii_digit())
            || !frac.chars().all(|c| c.is_ascii_digit())
            || frac.len() > 6
        {
            return Err(bad());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| bad())?
        };
        let frac: i64 = format!("{frac:0<6}").parse().map_err(|_| bad())?;
        let micros = whole
            .checked_mul(UNIT)
            .and_then(|w| w.checked_add(frac))
            .ok_or_else(bad)?;
        Ok(Self(if negative { -micros } else { micros }))
    }

    /// From a number in a config file (rounded to millionths).
    pub fn from_f64(value: f64) -> Self {
        #[expect(
            clippy::cast_possible_truncation,
            reason = "amounts in a config are far below i64's range"
        )]
        Self((value * 1_000_000.0).round() as i64)
    }

    pub fn is_positive(self) -> bool {
        self.0 > 0
    }
}

impl std::ops::Add for Money {
    type Output = Self;
    fn add(self, other: Self) -> Self {
        Self(self.0.saturating_add(other.0))
    }
}

impl std::ops::Sub for Money {
    type Output = Self;
    fn sub(self, other: Self) -> Self {
        Self(self.0.saturating_sub(other.0))
    }
}

impl std::ops::Neg for Money {
    type Output = Self;
    fn neg(self) -> Self {
        Self(-self.0)
    }
}

impl std::iter::Sum for Money {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Self::ZERO, |a, b| a + b)
    }
}

/// Two decimals at least, four when the amount has them: 10.00, 0.0858, 1.5.
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        let unit = UNIT.unsigned_abs();
        let (whole, frac) = (abs / unit, abs % unit);
        // Four decimals, rounded; then trailing zeros dropped down to two.
        let four = (frac + 50) / 100;
        let (whole, four) = if four == 10_000 {
            (whole + 1, 0)
        } else {
            (whole, four)
        };
        let mut digits = format!("{four:04}");
        while digits.len() > 2 && digits.ends_with('0') {
            digits.pop();
        }
        write!(f, "{sign}{whole}.{digits}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_read_and_print_exactly() {
        assert_eq!(Money::parse("0.0858"), Ok(Money(85_800)));
        assert_eq!(Money::parse("10"), Ok(Money(10_000_000)));
        assert_eq!(Money::parse("-3.5"), Ok(Money(-3_500_000)));
        assert_eq!(Money::parse(".5"), Ok(Money(500_000)));
        assert!(Money::parse("ten").is_err());
        assert!(Money::parse("1.0000001").is_err());
        assert!(Money::parse("").is_err());
        assert_eq!(Money(85_800).to_string(), "0.0858");
        assert_eq!(Money(10_000_000).to_string(), "10.00");
        assert_eq!(Money(1_500_000).to_string(), "1.50");
        assert_eq!(Money(-3_500_000).to_string(), "-3.50");
        assert_eq!(Money(999_999).to_string(), "1.00");
        assert_eq!(Money::from_f64(2.5), Money(2_500_000));
        assert_eq!(
            [Money(1), Money(2), Money(-4)].into_iter().sum::<Money>(),
            Money(-1)
        );
    }
}
