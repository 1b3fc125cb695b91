-- An experiment's automatic judge ({ model, provider? }): the model the data plane asks to score
-- each arm's answer, off the client's path. Also in the route's definition (experiment.judge),
-- which is what the data plane reads; kept here so the experiment shows it after it ended. Null:
-- no judge (and every experiment started before judges existed).
ALTER TABLE "experiments" ADD COLUMN "judge" JSONB;
