CREATE TABLE "erp_batches" (
	"id" serial PRIMARY KEY NOT NULL,
	"created_by" text NOT NULL,
	"request_ids" jsonb NOT NULL,
	"table" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "llm_calls" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"conversation_id" text,
	"message_id" bigint,
	"request_id" integer,
	"purpose" text NOT NULL,
	"model" text NOT NULL,
	"prompt_version" text NOT NULL,
	"outcome" text NOT NULL,
	"error" text,
	"latency_ms" integer,
	"input_tokens" integer DEFAULT 0 NOT NULL,
	"output_tokens" integer DEFAULT 0 NOT NULL,
	"cost_usd" double precision DEFAULT 0 NOT NULL,
	"choices" jsonb
);
--> statement-breakpoint
CREATE TABLE "releases" (
	"id" serial PRIMARY KEY NOT NULL,
	"day" date NOT NULL,
	"cap_kg" double precision NOT NULL,
	"total_kg" double precision NOT NULL,
	"request_ids" jsonb NOT NULL,
	"created_by" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "erp_batch_id" integer;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "finance_released_by" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "released_by" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "release_id" integer;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "release_oversize" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "shipment_invoice" text;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "cost_brl" double precision;--> statement-breakpoint
ALTER TABLE "requests" ADD COLUMN "llm_summary" jsonb;--> statement-breakpoint
CREATE INDEX "llm_calls_at_idx" ON "llm_calls" USING btree ("at");--> statement-breakpoint
CREATE INDEX "llm_calls_conversation_idx" ON "llm_calls" USING btree ("conversation_id");--> statement-breakpoint
CREATE INDEX "releases_day_idx" ON "releases" USING btree ("day");