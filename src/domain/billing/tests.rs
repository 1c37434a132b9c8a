use super::*;

const CARD: &str = "\
Market,Currency,Marketing,Utility,Authentication,Authentication-International,Service
JP,EUR,0.1100,0.0150,0.0150,n/a,
United Kingdom,EUR,0.0500,0.0200,0.0300,0.0400,
Other,EUR,0.0700,0.0100,0.0100,,
";

fn card(rules: CardRules) -> RateCard {
    let (rows, currency) = read_card(CARD).unwrap();
    RateCard {
        id: 1,
        effective: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        currency,
        rules,
        rows,
        imported_by: "aiko".into(),
        imported_at: Utc::now(),
    }
}

fn sending(category: Category, country: &str, window_open: bool) -> Sending<'_> {
    Sending {
        category,
        country: Some(country),
        window_open,
        service_this_month: 0,
    }
}

#[test]
fn a_card_reads_as_meta_publishes_it() {
    let c = card(CardRules::default());
    assert_eq!(c.currency, "EUR");
    assert_eq!(c.rows.len(), 3);
    assert_eq!(c.rows[0].authentication_international, None);
    assert_eq!(c.rows[1].utility, Some(Money(20_000)));
    assert!(
        read_card("Market,Currency\nAtlantis,EUR\n")
            .unwrap_err()
            .contains("Atlantis")
    );
    assert!(
        read_card("Market,Currency,Utility\nJP,EUR,0.01\nGB,USD,0.02\n")
            .unwrap_err()
            .contains("one currency")
    );
    assert!(
        read_card("Market,Currency,Utility\nJP,EUR,cheap\n")
            .unwrap_err()
            .contains("line 2")
    );
}

#[test]
fn templates_cost_their_category_in_their_market_and_replies_are_free() {
    let c = card(CardRules::default());
    let p = price(&c, &sending(Category::Marketing, "JP", false)).unwrap();
    assert_eq!((p.amount, p.free.clone()), (Money(110_000), None));
    assert_eq!(p.label(), "marketing 0.11 EUR");
    // Japan by its code; Germany falls to Other; the UK by its market's name.
    assert_eq!(
        price(&c, &sending(Category::Utility, "DE", false))
            .unwrap()
            .amount,
        Money(10_000)
    );
    assert_eq!(
        price(&c, &sending(Category::Utility, "GB", false))
            .unwrap()
            .market,
        "United Kingdom"
    );
    // Utility in the open window, and free-form replies: free.
    let open = price(&c, &sending(Category::Utility, "JP", true)).unwrap();
    assert_eq!(open.label(), "free: window open");
    assert_eq!(
        price(&c, &sending(Category::Marketing, "JP", true))
            .unwrap()
            .amount,
        Money(110_000)
    );
    assert!(
        price(&c, &sending(Category::Service, "JP", true))
            .unwrap()
            .free
            .is_some()
    );
    // Authentication-international falls back to authentication where the card has none.
    assert_eq!(
        price(
            &c,
            &sending(Category::AuthenticationInternational, "JP", false)
        )
        .unwrap()
        .amount,
        Money(15_000)
    );
}

#[test]
fn what_is_free_is_the_cards_not_the_codes() {
    // After 2026-10-01: in-window utility charged; replies free for the first 2 a month.
    let later = card(CardRules {
        utility_free_in_window: false,
        service_free: false,
        free_service_per_month: 2,
    });
    assert_eq!(
        price(&later, &sending(Category::Utility, "JP", true))
            .unwrap()
            .amount,
        Money(15_000)
    );
    let mut reply = sending(Category::Service, "JP", true);
    assert!(price(&later, &reply).unwrap().free.is_some());
    reply.service_this_month = 2;
    // The card has no service price for Japan: said, not guessed.
    assert!(
        price(&later, &reply)
            .unwrap_err()
            .contains("no service price")
    );
}

#[test]
fn the_card_in_force_is_the_latest_whose_day_has_come() {
    let mut a = card(CardRules::default());
    let mut b = card(CardRules::default());
    b.id = 2;
    b.effective = NaiveDate::from_ymd_opt(2026, 10, 1).unwrap();
    a.rows.truncate(1);
    let cards = [a, b];
    let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    assert_eq!(card_at(&cards, at("2026-09-30T23:00:00Z")).unwrap().id, 1);
    assert_eq!(card_at(&cards, at("2026-10-01T00:00:00Z")).unwrap().id, 2);
    assert!(card_at(&cards, at("2026-01-01T00:00:00Z")).is_none());
}
