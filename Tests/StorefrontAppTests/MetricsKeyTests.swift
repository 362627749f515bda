import Testing
@testable import StorefrontApp

/// The two lookups every request's metrics make: the route template's index and the
/// method's label. Both must agree with the plain definitions they replace.
@Suite struct MetricsKeyTests {
    @Test func everyTemplateIsFoundAtItsIndexAndNothingElseIs() {
        // Shared prefixes, equal lengths, the empty string, and enough names to fill probes.
        let names = ["", "/", "/health", "/ready", "/metrics", "/api/v1/products", "/api/v1/products/{id}",
                     "/api/v1/orders", "/api/v1/orders/{id}", "(unmatched)", "(rejected)"]
            + (0..<200).map { "/api/v1/generated/\($0)" }
        let table = TemplateTable(names)
        for (index, name) in names.enumerated() { #expect(table.index(of: name) == index, "\(name)") }
        for stranger in ["/healt", "/health/", "/HEALTH", "/api/v1/generated/200", "/api/v1/products/{ID}", " "] {
            #expect(table.index(of: stranger) == nil, "\(stranger)")
        }
        #expect(TemplateTable([]).index(of: "/") == nil)
    }

    @Test func methodsMapToTheirLabelAndAnyOtherToOther() {
        for (index, method) in RequestMetrics.methods.enumerated() where method != "_OTHER" {
            #expect(RequestMetrics.methodIndex(method) == index)
        }
        for other in ["get", "BREW", "", "GETS", "PROPFIND", "_OTHER"] {
            #expect(RequestMetrics.methods[RequestMetrics.methodIndex(other)] == "_OTHER", "\(other)")
        }
    }

    /// The access-log link records by the label it looked up once per route; the series must
    /// be the one recording by name gives, and a label the table never handed out counts as
    /// unmatched instead of landing on another route.
    @Test func recordingByLabelLandsOnTheTemplatesSeries() {
        let metrics = RequestMetrics(templates: ["/a", "/b/{id}"])
        metrics.record(label: metrics.label(of: "/b/{id}"), method: .get, status: 200, nanoseconds: 1_000)
        metrics.record(route: "/b/{id}", method: .get, status: 200, nanoseconds: 1_000)
        metrics.record(label: metrics.templates.count, method: .get, status: 404, nanoseconds: 1_000)
        metrics.record(label: -1, method: .get, status: 404, nanoseconds: 1_000)
        #expect(metrics.label(of: "/nowhere") == metrics.label(of: RequestMetrics.unmatched))
        let series = metrics.snapshot().map { "\($0.route) \($0.method) \($0.status) \($0.requests)" }
        #expect(series == ["(unmatched) GET 404 2", "/b/{id} GET 200 2"])
    }
}
