DROP TABLE order_items;
DROP TABLE orders;
DROP FUNCTION orders_status_transition();
