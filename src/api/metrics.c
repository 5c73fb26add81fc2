/*
 * GET /metrics: Prometheus text for administrators (Bearer or cookie) — live connections, events
 * and deliveries, slow consumers dropped, and the writer's group commits.
 */
#include "api/internal.h"
#include "hub/hub.h"
#include "store/writer.h"

#include <stdio.h>

int
api_metrics_text(char *buf, size_t size)
{
    struct hub_stats hs;
    struct writer_stats ws;
    hub_get_stats(&hs);
    writer_get_stats(&ws);
    return snprintf(buf, size,
                    "# HELP kairan_connections Live WebSocket sessions.\n# TYPE kairan_connections gauge\nkairan_connections %zu\n"
                    "# HELP kairan_events_total Events published to the hubs.\n# TYPE kairan_events_total counter\n"
                    "kairan_events_total %llu\n"
                    "# HELP kairan_deliveries_total Frames queued to sessions.\n# TYPE kairan_deliveries_total counter\n"
                    "kairan_deliveries_total %llu\n"
                    "# HELP kairan_slow_consumers_dropped_total Sessions closed because their queue passed its bound.\n"
                    "# TYPE kairan_slow_consumers_dropped_total counter\nkairan_slow_consumers_dropped_total %llu\n"
                    "# HELP kairan_writer_batches_total Group commits.\n# TYPE kairan_writer_batches_total counter\n"
                    "kairan_writer_batches_total %llu\n"
                    "# HELP kairan_writer_jobs_total Writes committed (sends, reads, edits...).\n"
                    "# TYPE kairan_writer_jobs_total counter\nkairan_writer_jobs_total %llu\n"
                    "# HELP kairan_writer_max_batch Largest group commit so far.\n# TYPE kairan_writer_max_batch gauge\n"
                    "kairan_writer_max_batch %llu\n"
                    "# HELP kairan_writer_seconds_total Writer wall time by phase: running jobs, committing (search"
                    " index, COMMIT), answering; and the syncer's WAL flushes (SQLite).\n"
                    "# TYPE kairan_writer_seconds_total counter\n"
                    "kairan_writer_seconds_total{phase=\"run\"} %.6f\nkairan_writer_seconds_total{phase=\"commit\"} %.6f\n"
                    "kairan_writer_seconds_total{phase=\"done\"} %.6f\nkairan_writer_seconds_total{phase=\"sync\"} %.6f\n"
                    "# HELP kairan_writer_syncs_total WAL flushes (SQLite), each for every group commit before it.\n"
                    "# TYPE kairan_writer_syncs_total counter\nkairan_writer_syncs_total %llu\n",
                    hub_total_connections(), (unsigned long long)hs.events, (unsigned long long)hs.deliveries,
                    (unsigned long long)hs.dropped_slow, (unsigned long long)ws.batches, (unsigned long long)ws.jobs,
                    (unsigned long long)ws.max_batch, (double)ws.run_ns / 1e9, (double)ws.commit_ns / 1e9, (double)ws.done_ns / 1e9,
                    (double)ws.sync_ns / 1e9, (unsigned long long)ws.syncs);
}
