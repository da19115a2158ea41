// Types for parse-prometheus-text-format, which ships none.
declare module 'parse-prometheus-text-format' {
  export interface ParsedMetricFamily {
    name: string;
    help: string;
    type: 'GAUGE' | 'COUNTER' | 'SUMMARY' | 'HISTOGRAM' | 'UNTYPED';
    metrics: Array<{ value?: string; labels?: Record<string, string>; timestamp_ms?: string }>;
  }
  export default function parsePrometheusTextFormat(text: string): ParsedMetricFamily[];
}
