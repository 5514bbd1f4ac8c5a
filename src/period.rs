//! Periods written in policies (`30d`, `6m`, `7y`, `12h`) and their calendar arithmetic.
//!
//! Months and years are calendar units: seven years before 2026-02-28 is 2019-02-28,
//! not 2,555 days earlier, because that is how retention laws count.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Months, Utc};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The longest period a policy may give: ten thousand years, in any unit. Cutoffs and
/// due dates then stay well inside the calendar chrono can represent.
const MAX_YEARS: u32 = 10_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hours(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

/// A period that does not parse or is too long.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PeriodError {
    #[error("invalid period `{0}`: write a number and a unit, e.g. `12h`, `30d`, `4w`, `6m`, `7y`")]
    Invalid(String),
    #[error("period `{text}` is too long: at most {MAX_YEARS} years ({limit}{unit})")]
    TooLong {
        text: String,
        limit: u32,
        unit: char,
    },
}

impl FromStr for Period {
    type Err = PeriodError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (digits, unit) = trimmed.split_at(split);
        let invalid = || PeriodError::Invalid(text.to_string());
        let count: u32 = digits.parse().map_err(|_| invalid())?;
        let unit = unit.trim();
        let limit = match unit {
            "h" | "hour" | "hours" => MAX_YEARS * 8766,
            "d" | "day" | "days" => MAX_YEARS * 366,
            "w" | "week" | "weeks" => MAX_YEARS * 53,
            "m" | "month" | "months" => MAX_YEARS * 12,
            _ => MAX_YEARS,
        };
        if digits.len() > 10 || count > limit {
            return Err(PeriodError::TooLong {
                text: text.to_string(),
                limit,
                unit: unit.chars().next().unwrap_or('y'),
            });
        }
        let period = match unit {
            "h" | "hour" | "hours" => Period::Hours(count),
            "d" | "day" | "days" => Period::Days(count),
            "w" | "week" | "weeks" => Period::Weeks(count),
            "m" | "month" | "months" => Period::Months(count),
            "y" | "year" | "years" => Period::Years(count),
            _ => return Err(invalid()),
        };
        Ok(period)
    }
}

/// The compact form a policy writes: `30d`, `7y`.
impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (count, unit) = match *self {
            Period::Hours(n) => (n, 'h'),
            Period::Days(n) => (n, 'd'),
            Period::Weeks(n) => (n, 'w'),
            Period::Months(n) => (n, 'm'),
            Period::Years(n) => (n, 'y'),
        };
        write!(f, "{count}{unit}")
    }
}

impl Serialize for Period {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// Periods are parsed once, when the policy loads: a bad one is a located error there.
impl<'de> Deserialize<'de> for Period {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

impl Period {
    /// The period in words: `7 years`.
    pub fn words(self) -> String {
        let (count, unit) = match self {
            Period::Hours(n) => (n, "hour"),
            Period::Days(n) => (n, "day"),
            Period::Weeks(n) => (n, "week"),
            Period::Months(n) => (n, "month"),
            Period::Years(n) => (n, "year"),
        };
        let plural = if count == 1 { "" } else { "s" };
        format!("{count} {unit}{plural}")
    }

    fn months(self) -> Option<u32> {
        match self {
            Period::Months(n) => Some(n),
            Period::Years(n) => n.checked_mul(12),
            _ => None,
        }
    }

    fn fixed(self) -> Option<Duration> {
        match self {
            Period::Hours(n) => Duration::try_hours(i64::from(n)),
            Period::Days(n) => Duration::try_days(i64::from(n)),
            Period::Weeks(n) => Duration::try_weeks(i64::from(n)),
            Period::Months(_) | Period::Years(_) => None,
        }
    }

    /// The instant this period before `at` (a retention cutoff). Out of the calendar's
    /// range (only possible past the period limit) it is the earliest instant: nothing
    /// is due, the safe side for deletion.
    pub fn before(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let earlier = match self.months() {
            Some(n) => at.checked_sub_months(Months::new(n)),
            None => self.fixed().and_then(|d| at.checked_sub_signed(d)),
        };
        earlier.unwrap_or(DateTime::<Utc>::MIN_UTC)
    }

    /// The instant this period after `at` (a due date, the end of a hold); the latest
    /// instant when out of range.
    pub fn after(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let later = match self.months() {
            Some(n) => at.checked_add_months(Months::new(n)),
            None => self.fixed().and_then(|d| at.checked_add_signed(d)),
        };
        later.unwrap_or(DateTime::<Utc>::MAX_UTC)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_units_and_rejects_junk() {
        assert_eq!("30d".parse(), Ok(Period::Days(30)));
        assert_eq!("7 years".parse(), Ok(Period::Years(7)));
        assert_eq!("12h".parse(), Ok(Period::Hours(12)));
        assert!("30 dayz".parse::<Period>().is_err());
        assert!("d".parse::<Period>().is_err());
        assert!("".parse::<Period>().is_err());
    }

    #[test]
    fn periods_beyond_the_calendar_are_refused() {
        for text in [
            "300000y",
            "4000000000d",
            "99999999999h",
            "10001y",
            "120001m",
        ] {
            let error = text.parse::<Period>().unwrap_err().to_string();
            assert!(
                error.contains("too long") || error.contains("invalid"),
                "{text}: {error}"
            );
        }
        assert_eq!("10000y".parse(), Ok(Period::Years(10_000)));
        let at = Utc.with_ymd_and_hms(2026, 12, 1, 0, 0, 0).unwrap();
        for text in ["10000y", "3660000d", "120000m", "87660000h", "530000w"] {
            let period: Period = text.parse().unwrap();
            assert!(period.before(at) < at && period.after(at) > at, "{text}");
        }
    }

    #[test]
    fn compact_form_round_trips() {
        for text in ["30d", "7y", "12h", "4w", "6m"] {
            assert_eq!(text.parse::<Period>().unwrap().to_string(), text);
        }
        assert_eq!(Period::Years(7).words(), "7 years");
    }

    #[test]
    fn calendar_units_follow_the_calendar() {
        let at = Utc.with_ymd_and_hms(2026, 3, 31, 12, 0, 0).unwrap();
        assert_eq!(
            Period::Months(1).before(at),
            Utc.with_ymd_and_hms(2026, 2, 28, 12, 0, 0).unwrap()
        );
        assert_eq!(
            Period::Years(7).before(at),
            Utc.with_ymd_and_hms(2019, 3, 31, 12, 0, 0).unwrap()
        );
    }
}
