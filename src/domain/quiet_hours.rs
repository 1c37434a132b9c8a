//! Quiet hours: sends that are not a recruiter's immediate reply (scheduled ones, and those
//! that rules make) wait while it is night where the recipient is, and go in the morning.
//! Where they are is their record's time zone, else the one their number's country has when
//! it has only one.

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Utc};
use serde::{Deserialize, Deserializer};

/// From `start` to `end` in the recipient's local time, across midnight when `end` is
/// earlier ("21:00-08:00").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuietHours {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl QuietHours {
    pub fn parse(text: &str) -> Result<Self, String> {
        let bad = || {
            format!("{text:?} is not quiet hours: write them as 21:00-08:00 (from, to, 24-hour)")
        };
        let (from, to) = text.split_once('-').ok_or_else(bad)?;
        let time = |t: &str| NaiveTime::parse_from_str(t.trim(), "%H:%M").map_err(|_| bad());
        let (start, end) = (time(from)?, time(to)?);
        if start == end {
            return Err(bad());
        }
        Ok(Self { start, end })
    }

    fn quiet_at(self, local: NaiveTime) -> bool {
        if self.start < self.end {
            local >= self.start && local < self.end
        } else {
            local >= self.start || local < self.end
        }
    }

    /// When a send due at `at` may go in `tz`: `None` when it may go then, else the end of
    /// the quiet hours it falls in.
    pub fn held_until<Z: TimeZone>(self, at: DateTime<Utc>, tz: &Z) -> Option<DateTime<Utc>> {
        let local = at.with_timezone(tz);
        if !self.quiet_at(local.time()) {
            return None;
        }
        // The end on the same local day, else the next one.
        let day = local.date_naive();
        [day, day.succ_opt()?]
            .into_iter()
            .filter_map(|d| {
                tz.from_local_datetime(&d.and_time(self.end))
                    .earliest()
                    .map(|t| t.with_timezone(&Utc))
            })
            .find(|end| *end > at)
            .or_else(|| Some(at + Duration::hours(1)))
    }
}

impl std::fmt::Display for QuietHours {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}-{}",
            self.start.format("%H:%M"),
            self.end.format("%H:%M")
        )
    }
}

impl<'de> Deserialize<'de> for QuietHours {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Self::parse(&text).map_err(serde::de::Error::custom)
    }
}

/// Countries whose every number is in one time zone (ISO 3166 alpha-2 → IANA). Countries
/// spread over several (US, CA, BR, RU, AU, MX, ID…) are not here: their recipients' zone
/// comes from their record.
const ONE_ZONE: &[(&str, &str)] = &[
    ("AE", "Asia/Dubai"),
    ("AT", "Europe/Vienna"),
    ("BE", "Europe/Brussels"),
    ("BG", "Europe/Sofia"),
    ("CH", "Europe/Zurich"),
    ("CN", "Asia/Shanghai"),
    ("CZ", "Europe/Prague"),
    ("DE", "Europe/Berlin"),
    ("DK", "Europe/Copenhagen"),
    ("EG", "Africa/Cairo"),
    ("ES", "Europe/Madrid"),
    ("FI", "Europe/Helsinki"),
    ("FR", "Europe/Paris"),
    ("GB", "Europe/London"),
    ("GR", "Europe/Athens"),
    ("HK", "Asia/Hong_Kong"),
    ("HU", "Europe/Budapest"),
    ("IE", "Europe/Dublin"),
    ("IL", "Asia/Jerusalem"),
    ("IN", "Asia/Kolkata"),
    ("IT", "Europe/Rome"),
    ("JP", "Asia/Tokyo"),
    ("KE", "Africa/Nairobi"),
    ("KR", "Asia/Seoul"),
    ("MY", "Asia/Kuala_Lumpur"),
    ("NG", "Africa/Lagos"),
    ("NL", "Europe/Amsterdam"),
    ("NO", "Europe/Oslo"),
    ("NZ", "Pacific/Auckland"),
    ("PH", "Asia/Manila"),
    ("PK", "Asia/Karachi"),
    ("PL", "Europe/Warsaw"),
    ("PT", "Europe/Lisbon"),
    ("RO", "Europe/Bucharest"),
    ("SA", "Asia/Riyadh"),
    ("SE", "Europe/Stockholm"),
    ("SG", "Asia/Singapore"),
    ("TH", "Asia/Bangkok"),
    ("TR", "Europe/Istanbul"),
    ("TW", "Asia/Taipei"),
    ("UA", "Europe/Kyiv"),
    ("VN", "Asia/Ho_Chi_Minh"),
    ("ZA", "Africa/Johannesburg"),
];

/// The one time zone of the country a number (E.164) belongs to, when it has one.
pub fn zone_of_number(e164: &str) -> Option<&'static str> {
    let parsed = phonenumber::parse(None, e164).ok()?;
    let id = parsed.country().id()?;
    zone_of_country(id.as_ref())
}

/// The one time zone of a country, when it has one.
pub fn zone_of_country(country: &str) -> Option<&'static str> {
    ONE_ZONE
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(country))
        .map(|(_, z)| *z)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_send_at_night_where_they_are_waits_for_the_morning() {
        let quiet = QuietHours::parse("21:00-08:00").unwrap();
        let tokyo: chrono_tz::Tz = zone_of_country("jp").unwrap().parse().unwrap();
        // 23:30 in Tokyo: held until 08:00 the next morning there.
        assert_eq!(
            quiet.held_until(at("2026-12-01T14:30:00Z"), &tokyo),
            Some(at("2026-12-01T23:00:00Z"))
        );
        // 06:00 in Tokyo: until 08:00 the same morning.
        assert_eq!(
            quiet.held_until(at("2026-12-01T21:00:00Z"), &tokyo),
            Some(at("2026-12-01T23:00:00Z"))
        );
        // 10:00 in Tokyo: it goes.
        assert_eq!(quiet.held_until(at("2026-12-01T01:00:00Z"), &tokyo), None);
        // The same instant is daytime in London.
        let london: chrono_tz::Tz = "Europe/London".parse().unwrap();
        assert_eq!(quiet.held_until(at("2026-12-01T14:30:00Z"), &london), None);
        let day = QuietHours::parse("12:00-13:00").unwrap();
        assert_eq!(
            day.held_until(at("2026-12-01T12:30:00Z"), &london),
            Some(at("2026-12-01T13:00:00Z"))
        );
        assert_eq!(quiet.to_string(), "21:00-08:00");
        assert!(QuietHours::parse("9pm-8am").is_err());
        assert!(QuietHours::parse("08:00-08:00").is_err());
        assert_eq!(zone_of_country("US"), None);
        assert_eq!(zone_of_number("+819012345678"), Some("Asia/Tokyo"));
        assert_eq!(zone_of_number("+447400123456"), Some("Europe/London"));
        assert_eq!(zone_of_number("+12025550143"), None);
    }
}
