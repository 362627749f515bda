/// Builds the Products domain: its service (which Orders will call for prices and stock)
/// and its routes.
struct ProductsModule: Sendable {
    let service: ProductsService
    let controller: ProductsController

    init(database: Database, cursors: CursorCodec, outbox: EventOutbox) {
        service = ProductsService(database: database, products: ProductRepository(), outbox: outbox)
        controller = ProductsController(service: service, cursors: cursors)
    }
}
