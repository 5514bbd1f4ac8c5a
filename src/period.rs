//! Periods written in policies (`30d`, `6m`, `7y`, `12h`) and their calendar arithmetic.
//!
//! Months and years are calendar units: seven years before 2026-02-28 is 2019-02-28,
//! not 2,555 days earlier, because that is how retention laws count.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, Months, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Period {
    Hours(u32),
    Days(u32),
    Weeks(u32),
    Months(u32),
    Years(u32),
}

impl FromStr for Period {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let trimmed = text.trim();
        let split = trimmed
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(trimmed.len());
        let (digits, unit) = trimmed.split_at(split);
        let invalid = || {
            format!(
                "invalid period `{text}`: write a number and a unit, e.g. `12h`, `30d`, `4w`, `6m`, `7y`"
            )
        };
        let count: u32 = digits.parse().map_err(|_| invalid())?;
        let period = match unit.trim() {
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

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (count, unit) = match *self {
            Period::Hours(n) => (n, "hour"),
            Period::Days(n) => (n, "day"),
            Period::Weeks(n) => (n, "week"),
            Period::Months(n) => (n, "month"),
            Period::Years(n) => (n, "year"),
        };
        let plural = if count == 1 { "" } else { "s" };
        write!(f, "{count} {unit}{plural}")
    }
}

impl Period {
    /// The instant this period before `at` (a retention cutoff).
    pub fn before(self, at: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Period::Hours(n) => at - Duration::hours(i64::from(n)),
            Period::Days(n) => at - Duration::days(i64::from(n)),
            Period::Weeks(n) => at - Duration::weeks(i64::from(n)),
            Period::Months(n) => at.checked_sub_months(Months::new(n)).unwrap_or(at),
            Period::Years(n) => at
                .checked_sub_months(Months::new(n.saturating_mul(12)))
                .unwrap_or(at),
        }
    }

    /// The instant this period after `at` (a due date, the end of a hold).
    pub fn after(self, at: DateTime<Utc>) -> DateTime<Utc> {
        match self {
            Period::Hours(n) => at + Duration::hours(i64::from(n)),
            Period::Days(n) => at + Duration::days(i64::from(n)),
            Period::Weeks(n) => at + Duration::weeks(i64::from(n)),
            Period::Months(n) => at.checked_add_months(Months::new(n)).unwrap_or(at),
            Period::Years(n) => at
                .checked_add_months(Months::new(n.saturating_mul(12)))
                .unwrap_or(at),
        }
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
