/*
 * demo_data.c - the demo dataset of `inved init --demo` (demo_data.h).
 */
#include "demo_data.h"

const struct demo_invoice demo_first_1001 = {
	"Vandelay Industries", "500.00", "EUR", "sent", 'd'};
const struct demo_invoice demo_second_1001 = {
	"Müller & Söhne — Zürich", "12.50", "EUR", "sent", 0};

const struct demo_invoice demo_acme[] = {
	/* ACME-1002 onwards; ACME-1001 is made by hand below. */
	{"Initech GmbH", "1200.00", "EUR", "sent", 0},
	{"Ærøskøbing Færge ApS", "18450.50", "DKK", "paid", 0},
	{"Umbrella Logistics", "320.00", "EUR", "paid", 'a'},
	{"株式会社 作者出版", "150000", "JPY", "sent", 0},
	{"Bahrain Pearl Trading W.L.L.", "812.125", "BHD", "draft", 0},
	{"Café Olé & Co.", "89.90", "EUR", "void", 0},
	{"Stark Industries", "250000.00", "USD", "sent", 0},
	{"Wayne Enterprises", "4999.99", "USD", "paid", 'a'},
	{"Łódź Textiles Sp. z o.o.", "7300.00", "PLN", "draft", 0},
	{"Cyberdyne Systems", "15.00", "EUR", "void", 'd'},
	{"Tyrell Corporation", "64000.00", "EUR", "paid", 'A'},
	{"Soylent Green Foods", "2100.00", "CHF", "draft", 0},
	{"Hooli", "999.00", "USD", "sent", 0},
};

const struct demo_invoice demo_globex[] = {
	{"Springfield Nuclear Plant", "56000.00", "USD", "sent", 0},
	{"Kwik-E-Mart", "120.45", "USD", "paid", 0},
	{"Duff Brewery", "8800.00", "USD", "draft", 'a'},
	{"Moe's Tavern", "42.00", "USD", "void", 'd'},
};

const size_t demo_acme_count = sizeof demo_acme / sizeof demo_acme[0];
const size_t demo_globex_count = sizeof demo_globex / sizeof demo_globex[0];
