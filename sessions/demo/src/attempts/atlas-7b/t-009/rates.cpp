// Shipping cost calculation for the checkout service.
#include <algorithm>
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

double volumetricWeight(const Parcel& p, double divisor) {
    return p.lengthCm * p.widthCm * p.heightCm / divisor;
}

std::vector<Quote> quoteShipment(const std::vector<Parcel>& parcels, const std::string& fromCountry,
                                 const std::string& toCountry, bool express, bool insured, double declaredValue,
                                 bool saturdayDelivery, const std::string& promoCode) {
    std::vector<Quote> quotes;
    if (parcels.empty()) {
        throw std::invalid_argument("no parcels");
    }
    double billable = 0;
    bool anyFragile = false;
    for (size_t i = 0; i < parcels.size(); i++) {
        double vw = volumetricWeight(parcels[i], 5000.0);
        if (vw > parcels[i].weightKg) {
            billable += vw;
        } else {
            billable += parcels[i].weightKg;
        }
        if (parcels[i].fragile) {
            anyFragile = true;
        }
    }
    bool domestic = fromCountry == toCountry;
    bool eu = false;
    const char* euCountries[] = {"DE", "FR", "NL", "BE", "IT", "ES", "IE", "AT", "PL", "SE"};
    for (int i = 0; i < 10; i++) {
        if (toCountry == euCountries[i]) {
            eu = true;
        }
    }
    // Carrier A: cheap, slow, no Saturday delivery
    if (!saturdayDelivery) {
        double price = 0;
        int days = 0;
        if (domestic) {
            price = 4.50 + billable * 0.80;
            days = 3;
        } else if (eu) {
            price = 9.00 + billable * 1.60;
            days = 6;
        } else {
            price = 19.00 + billable * 3.20;
            days = 12;
        }
        if (express) {
            price = price * 1.5;
            days = std::max(1, days - 2);
        }
        if (anyFragile) {
            price = price + 6.0;
        }
        if (insured) {
            price = price + std::max(2.0, declaredValue * 0.01);
        }
        if (promoCode == "SHIP10") {
            price = price * 0.9;
        }
        Quote q;
        q.carrier = "ParcelCo";
        q.service = express ? "Express" : "Standard";
        q.price = std::round(price * 100) / 100;
        q.days = days;
        quotes.push_back(q);
    }
    // Carrier B: faster, dearer, does Saturdays
    {
        double price = 0;
        int days = 0;
        if (domestic) {
            price = 6.90 + billable * 1.10;
            days = 2;
        } else if (eu) {
            price = 14.00 + billable * 2.10;
            days = 4;
        } else {
            price = 29.00 + billable * 4.00;
            days = 7;
        }
        if (express) {
            price = price * 1.4;
            days = std::max(1, days - 1);
        }
        if (saturdayDelivery) {
            price = price + 8.0;
        }
        if (anyFragile) {
            price = price + 4.0;
        }
        if (insured) {
            price = price + std::max(2.0, declaredValue * 0.012);
        }
        if (promoCode == "SHIP10") {
            price = price * 0.9;
        }
        Quote q;
        q.carrier = "SwiftShip";
        q.service = express ? "Express" : "Standard";
        q.price = std::round(price * 100) / 100;
        q.days = days;
        quotes.push_back(q);
    }
    std::sort(quotes.begin(), quotes.end(), [](const Quote& a, const Quote& b) {
        if (a.price != b.price) {
            return a.price < b.price;
        }
        return a.days < b.days;
    });
    return quotes;
}

std::string describe(const std::vector<Quote>& quotes, const std::string& currency) {
    std::ostringstream out;
    for (size_t i = 0; i < quotes.size(); i++) {
        out << quotes[i].carrier << " " << quotes[i].service << ": " << quotes[i].price << " " << currency
            << ", " << quotes[i].days << (quotes[i].days == 1 ? " day" : " days");
        if (i + 1 < quotes.size()) {
            out << "\n";
        }
    }
    return out.str();
}

}  // namespace shipping
