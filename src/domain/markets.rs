//! The markets of WhatsApp's rate card: some countries are priced on their own (Japan is not;
//! India is), the others by region ("Rest of Asia Pacific"), and what no row names by
//! "Other". A card's row is found for a country (ISO 3166 alpha-2) here.

/// The countries priced on their own, by the name the rate card gives them.
const NAMED: &[(&str, &[&str])] = &[
    ("Argentina", &["AR"]),
    ("Brazil", &["BR"]),
    ("Chile", &["CL"]),
    ("Colombia", &["CO"]),
    ("Egypt", &["EG"]),
    ("France", &["FR"]),
    ("Germany", &["DE"]),
    ("India", &["IN"]),
    ("Indonesia", &["ID"]),
    ("Israel", &["IL"]),
    ("Italy", &["IT"]),
    ("Malaysia", &["MY"]),
    ("Mexico", &["MX"]),
    ("Netherlands", &["NL"]),
    ("Nigeria", &["NG"]),
    ("Pakistan", &["PK"]),
    ("Peru", &["PE"]),
    ("Russia", &["RU"]),
    ("Saudi Arabia", &["SA"]),
    ("South Africa", &["ZA"]),
    ("Spain", &["ES"]),
    ("Turkey", &["TR"]),
    ("United Arab Emirates", &["AE"]),
    ("United Kingdom", &["GB"]),
    ("North America", &["US", "CA"]),
];

/// The regions, for the countries the card does not price on their own.
const REGIONS: &[(&str, &[&str])] = &[
    (
        "Rest of Africa",
        &[
            "DZ", "AO", "BJ", "BW", "BF", "BI", "CM", "TD", "CG", "CD", "CI", "DJ", "ER", "ET",
            "GA", "GM", "GH", "GN", "GW", "KE", "LS", "LR", "LY", "MG", "MW", "ML", "MR", "MA",
            "MZ", "NA", "NE", "RW", "SN", "SL", "SO", "SS", "SD", "SZ", "TZ", "TG", "TN", "UG",
            "ZM", "ZW",
        ],
    ),
    (
        "Rest of Asia Pacific",
        &[
            "AF", "AU", "BD", "BT", "BN", "KH", "CN", "FJ", "HK", "JP", "KR", "LA", "MO", "MV",
            "MN", "MM", "NP", "NZ", "PG", "PH", "SG", "LK", "TW", "TJ", "TH", "TL", "TM", "UZ",
            "VN", "KZ", "KG",
        ],
    ),
    (
        "Rest of Central & Eastern Europe",
        &[
            "AL", "AM", "AZ", "BY", "BA", "BG", "HR", "CZ", "GE", "GR", "HU", "XK", "LV", "LT",
            "MK", "MD", "ME", "PL", "RO", "RS", "SK", "SI", "UA", "EE",
        ],
    ),
    (
        "Rest of Latin America",
        &[
            "BO", "CR", "DO", "EC", "SV", "GT", "HT", "HN", "JM", "NI", "PA", "PY", "PR", "UY",
            "VE", "TT", "BZ", "GY", "SR",
        ],
    ),
    (
        "Rest of Middle East",
        &["BH", "IQ", "JO", "KW", "LB", "OM", "QA", "YE", "PS", "SY"],
    ),
    (
        "Rest of Western Europe",
        &[
            "AT", "BE", "DK", "FI", "IE", "NO", "PT", "SE", "CH", "IS", "LU", "MT", "CY",
        ],
    ),
];

/// The name "Other" rows have.
pub const OTHER: &str = "Other";

/// The markets a country may be priced under, most specific first: itself (a card may name
/// it by its code), its named market, its region, "Other".
pub fn markets_of(country: &str) -> Vec<String> {
    let code = country.trim().to_ascii_uppercase();
    let mut out = vec![code.clone()];
    for (name, codes) in NAMED.iter().chain(REGIONS) {
        if codes.contains(&code.as_str()) {
            out.push((*name).to_owned());
        }
    }
    out.push(OTHER.to_owned());
    out
}

/// Whether `market` as a rate card writes it is one hirechat knows (a code of two letters, a
/// named market, a region, "Other").
pub fn known(market: &str) -> bool {
    let m = market.trim();
    (m.len() == 2 && m.chars().all(|c| c.is_ascii_alphabetic()))
        || NAMED
            .iter()
            .chain(REGIONS)
            .any(|(n, _)| n.eq_ignore_ascii_case(m))
        || m.eq_ignore_ascii_case(OTHER)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_country_falls_to_its_market_then_its_region_then_other() {
        assert_eq!(markets_of("jp"), ["JP", "Rest of Asia Pacific", "Other"]);
        assert_eq!(markets_of("GB"), ["GB", "United Kingdom", "Other"]);
        assert_eq!(markets_of("US"), ["US", "North America", "Other"]);
        assert_eq!(markets_of("AQ"), ["AQ", "Other"]);
        assert!(known("Rest of Western Europe") && known("jp") && known("other"));
        assert!(!known("Atlantis"));
    }
}
