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
}
