"""Pages, by audience: `console` (staff), `public` (residents and visitors), and topics."""
