-- What the tenant admin registered about an experiment's challenger (price, context window,
-- region): shown with the experiment, and its region checked against the tenant's allowed regions
-- when the experiment starts. Null for experiments started before it existed, or without any.
ALTER TABLE "experiments" ADD COLUMN "challenger_metadata" JSONB;
