// Shipping cost calculation for the checkout service.
#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace shipping {

struct Parcel {
    double weightKg;
    double lengthCm;
    double widthCm;
    double heightCm;
    bool fragile;
};

struct Quote {
    std::string carrier;
    std::string service;
    double price;
    int days;
};

namespace {

constexpr double kVolumetricDivisor = 5000.0;
constexpr double kMinimumInsurance = 2.0;
constexpr double kPromoFactor = 0.9;
const std::array<std::string, 10> kEuCountries = {"DE", "FR", "NL", "BE", "IT", "ES", "IE", "AT", "PL", "SE"};

enum Zone { kDomestic = 0, kEu = 1, kWorld = 2 };

struct ZoneRate {
    double base;
    double perKg;
    int days;
};

struct Tariff {
    std::string carrier;
    std::array<ZoneRate, 3> zones;  // indexed by Zone
    double expressFactor;
    int expressDaysSaved;
    bool offersSaturday;
    double saturdaySurcharge;
    double fragileSurcharge;
    double insuranceRate;
};

const std::vector<Tariff> kTariffs = {
    {"ParcelCo", {{{4.50, 0.80, 3}, {9.00, 1.60, 6}, {19.00, 3.20, 12}}}, 1.5, 2, false, 0.0, 6.0, 0.01},
    {"SwiftShip", {{{6.90, 1.10, 2}, {14.00, 2.10, 4}, {29.00, 4.00, 7}}}, 1.4, 1, true, 8.0, 4.0, 0.012},
};

struct Shipment {
    double billableKg;
    bool fragile;
    Zone zone;
    bool express;
    bool insured;
    double declaredValue;
    bool saturdayDelivery;
    bool promo;
};

Zone zoneOf(const std::string& fromCountry, const std::string& toCountry) {
    if (fromCountry == toCountry) {
        return kDomestic;
    }
    bool eu = std::find(kEuropeanUnion.begin(), kEuropeanUnion.end(), toCountry) != kEuropeanUnion.end();
    return eu ? kEu : kWorld;
}

Quote quoteFrom(const Tariff& tariff, const Shipment& s) {
    const ZoneRate& rate = tariff.zones[s.zone];
    double price = rate.base + s.billableKg * rate.perKg;
    int days = rate.days;
    if (s.express) {
        price *= tariff.expressFactor;
        days = std::max(1, days - tariff.expressDaysSaved);
    }
    if (s.saturdayDelivery) {
        price += tariff.saturdaySurcharge;
    }
    if (s.fragile) {
        price += tariff.fragileSurcharge;
    }
    if (s.insured) {
        price += std::max(kMinimumInsurance, s.declaredValue * tariff.insuranceRate);
    }
    if (s.promo) {
        price *= kPromoFactor;
    }
    return Quote{tariff.carrier, s.express ? "Express" : "Standard", std::round(price * 100) / 100, days};
}

bool byPriceThenDays(const Quote& a, const Quote& b) {
    if (a.price != b.price) {
        return a.price < b.price;
    }
    return a.days < b.days;
}

}  // namespace

double volumetricWeight(const Parcel& p, double divisor) {
    return p.lengthCm * p.widthCm * p.heightCm / divisor;
}

std::vector<Quote> quoteShipment(const std::vector<Parcel>& parcels, const std::string& fromCountry,
                                 const std::string& toCountry, bool express, bool insured, double declaredValue,
                                 bool saturdayDelivery, const std::string& promoCode) {
    if (parcels.empty()) {
        throw std::invalid_argument("no parcels");
    }
    Shipment shipment{0, false, zoneOf(fromCountry, toCountry), express, insured, declaredValue,
                      saturdayDelivery, promoCode == "SHIP10"};
    for (const Parcel& parcel : parcels) {
        shipment.billableKg += std::max(volumetricWeight(parcel, kVolumetricDivisor), parcel.weightKg);
        shipment.fragile = shipment.fragile || parcel.fragile;
    }
    std::vector<Quote> quotes;
    for (const Tariff& tariff : kTariffs) {
        if (saturdayDelivery && !tariff.offersSaturday) {
            continue;
        }
        quotes.push_back(quoteFrom(tariff, shipment));
    }
    std::sort(quotes.begin(), quotes.end(), byPriceThenDays);
    return quotes;
}

std::string describe(const std::vector<Quote>& quotes, const std::string& currency) {
    std::ostringstream out;
    for (size_t i = 0; i < quotes.size(); i++) {
        const Quote& q = quotes[i];
        out << (i > 0 ? "\n" : "") << q.carrier << " " << q.service << ": " << q.price << " " << currency << ", "
            << q.days << (q.days == 1 ? " day" : " days");
    }
    return out.str();
}

}  // namespace shipping
