-- 保密审查 (Art. 17; portal-and-security.md A1.5): publishing an item requires a recorded review —
-- who reviewed it, when, and the result. NULL for items registered before this version (or loaded
-- from a spreadsheet without one); the console requires it for every new item.
ALTER TABLE proactive_details ADD COLUMN review_by TEXT;
ALTER TABLE proactive_details ADD COLUMN reviewed_on TEXT;
ALTER TABLE proactive_details ADD COLUMN review_result TEXT;
