-- A unit that serves the public (residents, customers) is offered on the public complaint form;
-- internal units (HR, the quality work group) are not. Off by default: an administrator opts a
-- unit in on its form or through the API.
ALTER TABLE units ADD COLUMN serves_public BOOLEAN NOT NULL DEFAULT FALSE;
