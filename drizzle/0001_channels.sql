ALTER TABLE "messages" ADD COLUMN "meta" jsonb;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "claimed_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "external_id" text;--> statement-breakpoint
ALTER TABLE "outbox" DROP COLUMN "next_attempt_at";