/** Types of the untyped test dependency parse-prometheus-text-format (what the specs use of it). */
declare module 'parse-prometheus-text-format' {
  /** One metric family of a scrape. */
  interface MetricFamily {
    name: string;
    help: string;
    type: string;
    metrics: { value?: string; labels?: Record<string, string>; buckets?: Record<string, string>; count?: string; sum?: string }[];
  }
  /** Parses Prometheus text format. */
  export default function parsePrometheusTextFormat(text: string): MetricFamily[];
}
