/// Builds the Orders domain: it calls the catalogue's service for prices and stock.
struct OrdersModule: Sendable {
    let service: OrdersService
    let controller: OrdersController

    init(database: Database, products: ProductsService, cursors: CursorCodec, outbox: EventOutbox) {
        service = OrdersService(database: database, orders: OrderRepository(), products: products, outbox: outbox)
        controller = OrdersController(service: service, cursors: cursors)
    }
}
