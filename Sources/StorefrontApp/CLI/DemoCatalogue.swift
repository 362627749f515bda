/// The demo products of `storefront seed`: 300 products over ten categories, with fixed
/// SKUs (`DEMO-0001` ...) so a second run finds them instead of adding copies. Prices
/// repeat on purpose (sorting by price has ties to show), some items are out of stock and
/// a few are priced in euros.
enum DemoCatalogue {
    static let categories: [(name: String, nouns: [String])] = [
        ("books", ["Notebook", "Cookbook", "Atlas"]),
        ("clothing", ["Jacket", "Scarf", "Sneakers"]),
        ("electronics", ["Headphones", "Charger", "Speaker"]),
        ("garden", ["Trowel", "Planter", "Hose"]),
        ("grocery", ["Coffee Beans", "Olive Oil", "Tea Tin"]),
        ("home", ["Lamp", "Blanket", "Clock"]),
        ("kitchen", ["Kettle", "Skillet", "Knife Set"]),
        ("outdoors", ["Tent", "Lantern", "Backpack"]),
        ("sports", ["Yoga Mat", "Football", "Water Bottle"]),
        ("toys", ["Puzzle", "Kite", "Building Blocks"]),
    ]
    static let adjectives = ["Classic", "Compact", "Deluxe", "Eco", "Everyday", "Heavy-Duty", "Mini", "Portable",
                             "Pro", "Smart"]

    static var drafts: [ProductDraft] {
        var drafts: [ProductDraft] = []
        for (categoryIndex, category) in categories.enumerated() {
            for (adjectiveIndex, adjective) in adjectives.enumerated() {
                for (nounIndex, noun) in category.nouns.enumerated() {
                    let number = drafts.count + 1
                    let seed = categoryIndex * 31 + adjectiveIndex * 7 + nounIndex * 3
                    let cents = Int64(499 + (seed * 1_250) % 24_000)
                    let currency = number % 25 == 0 ? CurrencyCode("EUR") : .default
                    guard let sku = Sku("DEMO-\(String(number).leftPadded(to: 4))"),
                          let price = Money(cents: cents, currency: currency ?? .default) else { continue }
                    drafts.append(ProductDraft(
                        sku: sku, name: "\(adjective) \(noun)",
                        description: "A \(adjective.lowercased()) \(noun.lowercased()) from the \(category.name) aisle.",
                        category: category.name, price: price,
                        stock: number % 9 == 0 ? 0 : Int64((number * 37) % 250 + 1)))
                }
            }
        }
        return drafts
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
