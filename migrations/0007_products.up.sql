-- Products (API.md, Products). The bounds below repeat what the API validates first, so a
-- value that slips past validation is refused here rather than stored.
--   price_cents: 0 .. 999,999,999,999 minor units; stock: 0 .. 1,000,000,000. Both far
--   inside bigint, so order totals (50 lines x 1,000 items) cannot overflow either.
-- Deletion is soft (deleted_at): orders keep their own snapshots of what they bought, and
-- the row stays for them. SKUs are unique among live products only (API.md), so a deleted
-- product's SKU may be used again at once; nothing else is freed.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

CREATE TABLE products (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    sku          text NOT NULL,
    name         text NOT NULL,
    description  text,
    category     text,
    price_cents  bigint NOT NULL,
    currency     text NOT NULL DEFAULT 'USD',
    stock        bigint NOT NULL,
    -- +1 on every change (deletion included); ETags and If-Match are made of it.
    version      bigint NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    deleted_at   timestamptz,
    CONSTRAINT products_sku_format CHECK (sku ~ '^[A-Z0-9-]{3,64}$'),
    CONSTRAINT products_name_length CHECK (char_length(name) BETWEEN 1 AND 200),
    CONSTRAINT products_description_length CHECK (char_length(description) <= 10000),
    CONSTRAINT products_category_length CHECK (char_length(category) BETWEEN 1 AND 64),
    CONSTRAINT products_price_range CHECK (price_cents BETWEEN 0 AND 999999999999),
    CONSTRAINT products_currency_format CHECK (currency ~ '^[A-Z]{3}$'),
    CONSTRAINT products_stock_range CHECK (stock BETWEEN 0 AND 1000000000),
    CONSTRAINT products_version_positive CHECK (version >= 1)
);

CREATE UNIQUE INDEX products_sku_live_key ON products (sku) WHERE deleted_at IS NULL;
-- Keyset pagination for each sort of GET /products: sort key plus id, live rows only.
CREATE INDEX products_created_at_id_idx ON products (created_at, id) WHERE deleted_at IS NULL;
CREATE INDEX products_price_id_idx ON products (price_cents, id) WHERE deleted_at IS NULL;
CREATE INDEX products_name_id_idx ON products (lower(name), id) WHERE deleted_at IS NULL;
CREATE INDEX products_category_idx ON products (category) WHERE deleted_at IS NULL;
-- q= (name or description contains, case-insensitively): trigram indexes serve ILIKE
-- '%...%' (docs/products-search.md shows the plan on 100,000 rows).
CREATE INDEX products_name_trgm_idx ON products USING gin (name gin_trgm_ops) WHERE deleted_at IS NULL;
CREATE INDEX products_description_trgm_idx ON products USING gin (description gin_trgm_ops)
    WHERE deleted_at IS NULL;
