import "server-only";
import { IsolabError } from "@/server/errors";

/** Prometheus could not be started, reloaded or reached (503). */
export class PrometheusUnavailableError extends IsolabError {
  override readonly status = 503;
}

/** A config Isolab wrote was refused by `promtool check config` (500: Isolab's own bug, named). */
export class PrometheusConfigError extends IsolabError {
  override readonly status = 500;
}
