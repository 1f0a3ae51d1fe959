// kafkit/otel: the OpenTelemetry instrumentation for kafkit. Switching from KafkaJS changes one line:
//   const { KafkaJsInstrumentation } = require('@opentelemetry/instrumentation-kafkajs')
// becomes
//   const { KafkaJsInstrumentation } = require('kafkit/otel')
// (KafkitInstrumentation is the same class under kafkit's name). Needs @opentelemetry/api.

export {
  INSTRUMENTATION_NAME,
  KafkitInstrumentation,
  KafkitInstrumentation as KafkaJsInstrumentation,
  type KafkitInstrumentationConfig,
  type KafkitInstrumentationConfig as KafkaJsInstrumentationConfig,
  type MessageInfo,
} from './instrumentation.js'
