// THE table of event sources.
#include "generators/catalog.h"

#include <cstdlib>

#include "generators/embedded.h"
#include "generators/sources/sources.h"

namespace evh {

const std::vector<CatalogEntry>& catalog() {
  static const std::vector<CatalogEntry> kCatalog = {
    {"sqs", "sqs.schema.json", sources::sqs_hooks},
    {"sqs-fifo", "sqs_fifo.schema.json", sources::sqs_fifo_hooks},
    {"sns", "sns.schema.json", sources::sns_hooks},
    {"s3", "s3.schema.json", sources::s3_hooks},
    {"kinesis", "kinesis.schema.json", sources::kinesis_hooks},
    {"dynamodb-streams", "dynamodb_streams.schema.json", sources::dynamodb_streams_hooks},
    {"kafka-msk", "kafka_msk.schema.json", sources::kafka_msk_hooks},
    {"kafka-self-managed", "kafka_self_managed.schema.json", sources::kafka_self_managed_hooks},
    {"mq-activemq", "mq_activemq.schema.json", sources::mq_activemq_hooks},
    {"mq-rabbitmq", "mq_rabbitmq.schema.json", sources::mq_rabbitmq_hooks},
    {"documentdb", "documentdb.schema.json", sources::documentdb_hooks},
    {"apigw-rest", "apigw_rest.schema.json", sources::apigw_rest_hooks},
    {"apigw-http", "apigw_http.schema.json", sources::apigw_http_hooks},
    {"apigw-websocket", "apigw_websocket.schema.json", sources::apigw_websocket_hooks},
    {"apigw-authorizer-token", "apigw_authorizer_token.schema.json", sources::apigw_authorizer_token_hooks},
    {"apigw-authorizer-request", "apigw_authorizer_request.schema.json", sources::apigw_authorizer_request_hooks},
    {"alb", "alb.schema.json", sources::alb_hooks},
    {"function-url", "function_url.schema.json", sources::function_url_hooks},
    {"eventbridge", "eventbridge.schema.json", sources::eventbridge_hooks},
    {"scheduler", "scheduler.schema.json", sources::scheduler_hooks},
    {"cloudwatch-logs", "cloudwatch_logs.schema.json", sources::cloudwatch_logs_hooks},
    {"cloudformation-custom-resource", "cloudformation_custom_resource.schema.json", sources::cloudformation_custom_resource_hooks},
    {"firehose", "firehose.schema.json", sources::firehose_hooks},
    {"s3-batch", "s3_batch.schema.json", sources::s3_batch_hooks},
    {"s3-object-lambda", "s3_object_lambda.schema.json", sources::s3_object_lambda_hooks},
    {"cognito-user-pool", "cognito_user_pool.schema.json", sources::cognito_user_pool_hooks},
    {"ses", "ses.schema.json", sources::ses_hooks},
    {"codecommit", "codecommit.schema.json", sources::codecommit_hooks},
    {"codepipeline", "codepipeline.schema.json", sources::codepipeline_hooks},
    {"config", "config.schema.json", sources::config_hooks},
    {"lex-v2", "lex_v2.schema.json", sources::lex_v2_hooks},
    {"secrets-manager", "secrets_manager.schema.json", sources::secrets_manager_hooks},
    {"appsync-resolver", "appsync_resolver.schema.json", sources::appsync_resolver_hooks},
    {"cloudfront-edge", "cloudfront_edge.schema.json", sources::cloudfront_edge_hooks},
    {"iot", "iot.schema.json", sources::iot_hooks},
    {"alexa-skill", "alexa_skill.schema.json", sources::alexa_skill_hooks},
  };
  return kCatalog;
}

namespace {

struct Loaded {
  std::vector<Source> sources;
  std::string error;
};

const Loaded& loaded() {
  static const Loaded result = [] {
    Loaded l;
    const char* dir = std::getenv("EVH_SOURCES_DIR");
    for (const auto& entry : catalog()) {
      std::string name(entry.schema_file);
      Result<Json> doc = make_error(ErrorCode::kInternal, "");
      if (dir && *dir) {
        doc = load_json_file(std::string(dir) + "/" + name);
      } else if (const auto* f = embedded::find(embedded::source_files(), name)) {
        doc = parse_json(f->contents, name);
      } else {
        doc = make_error(ErrorCode::kInternal, name + ": schema not embedded in this build");
      }
      if (!doc) {
        if (l.error.empty()) l.error = doc.error().message;
        continue;
      }
      auto src = load_source(*doc, name, entry.hooks());
      if (!src) {
        if (l.error.empty()) l.error = src.error().message;
        continue;
      }
      if (src->id != entry.id) {
        if (l.error.empty()) l.error = name + ": x-evh-source/id is '" + src->id + "', the catalog says '" + std::string(entry.id) + "'";
        continue;
      }
      l.sources.push_back(std::move(*src));
    }
    return l;
  }();
  return result;
}

}  // namespace

const std::vector<Source>& all_sources() { return loaded().sources; }
const std::string& catalog_error() { return loaded().error; }

Result<const Source*> find_source(std::string_view id) {
  for (const auto& s : all_sources())
    if (s.id == id) return &s;
  std::string known;
  for (const auto& e : catalog()) known += (known.empty() ? "" : ", ") + std::string(e.id);
  return make_error(ErrorCode::kUsage, "unknown source '" + std::string(id) + "' (known: " + known + ")");
}

Result<Source> load_source_file(const std::string& path) {
  auto doc = load_json_file(path);
  if (!doc) return doc.error();
  return load_source(*doc, path, SourceHooks{});
}

}  // namespace evh
