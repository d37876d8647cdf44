-- Issue 18 item 3 (Art. 12; portal-and-security.md A2.1): the guide's e-mail address apart from
-- its 互联网联系方式 (which may be a web address), so that reminders and applicants find it.
ALTER TABLE disclosure_guides ADD COLUMN email TEXT;
