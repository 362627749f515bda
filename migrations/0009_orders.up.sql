-- Orders (API.md, Orders). An order keeps its own snapshot of what it bought (SKU, name,
-- unit price), so later catalogue changes and deletions never alter it.
CREATE TABLE orders (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id),
    status       text NOT NULL DEFAULT 'pending',
    total_cents  bigint NOT NULL,
    currency     text NOT NULL,
    -- +1 on every change; ETags and If-Match are made of it.
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT orders_status_known CHECK (status IN ('pending', 'paid', 'shipped', 'delivered', 'cancelled')),
    CONSTRAINT orders_total_nonnegative CHECK (total_cents >= 0),
    CONSTRAINT orders_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT orders_version_positive CHECK (version >= 1)
);

CREATE TABLE order_items (
    order_id          uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
    position          integer NOT NULL,
    product_id        uuid NOT NULL REFERENCES products (id),
    sku               text NOT NULL,
    name              text NOT NULL,
    unit_price_cents  bigint NOT NULL,
    quantity          integer NOT NULL,
    line_total_cents  bigint NOT NULL,
    PRIMARY KEY (order_id, position),
    CONSTRAINT order_items_product_once UNIQUE (order_id, product_id),
    CONSTRAINT order_items_position_range CHECK (position BETWEEN 0 AND 49),
    CONSTRAINT order_items_quantity_range CHECK (quantity BETWEEN 1 AND 1000),
    CONSTRAINT order_items_price_nonnegative CHECK (unit_price_cents >= 0),
    CONSTRAINT order_items_line_total CHECK (line_total_cents = unit_price_cents * quantity)
);

-- Keyset pagination for each sort of GET /orders, for one customer and for admins.
CREATE INDEX orders_user_created_idx ON orders (user_id, created_at, id);
CREATE INDEX orders_user_total_idx ON orders (user_id, total_cents, id);
CREATE INDEX orders_created_idx ON orders (created_at, id);
CREATE INDEX orders_total_idx ON orders (total_cents, id);

-- The state machine, enforced where every writer must pass: pending -> paid -> shipped ->
-- delivered, pending|paid -> cancelled. The service checks first and words the 409; this
-- refuses what any other path (a script, a bug) might try.
CREATE FUNCTION orders_status_transition() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status <> OLD.status AND NOT (
        (OLD.status = 'pending' AND NEW.status IN ('paid', 'cancelled')) OR
        (OLD.status = 'paid' AND NEW.status IN ('shipped', 'cancelled')) OR
        (OLD.status = 'shipped' AND NEW.status = 'delivered')
    ) THEN
        RAISE EXCEPTION 'order status cannot change from % to %', OLD.status, NEW.status
            USING ERRCODE = 'check_violation', CONSTRAINT = 'orders_status_transition';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER orders_status_transition BEFORE UPDATE OF status ON orders
    FOR EACH ROW EXECUTE FUNCTION orders_status_transition();
