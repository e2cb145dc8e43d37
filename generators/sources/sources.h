// Hooks of every source in the catalog: one small .cpp per source (generators/sources/).
#pragma once

#include "generators/source.h"

namespace evh::sources {

SourceHooks sqs_hooks();
SourceHooks sqs_fifo_hooks();
SourceHooks sns_hooks();
SourceHooks s3_hooks();
SourceHooks kinesis_hooks();
SourceHooks dynamodb_streams_hooks();
SourceHooks kafka_msk_hooks();
SourceHooks kafka_self_managed_hooks();
SourceHooks mq_activemq_hooks();
SourceHooks mq_rabbitmq_hooks();
SourceHooks documentdb_hooks();
SourceHooks apigw_rest_hooks();
SourceHooks apigw_http_hooks();
SourceHooks apigw_websocket_hooks();
SourceHooks apigw_authorizer_token_hooks();
SourceHooks apigw_authorizer_request_hooks();
SourceHooks alb_hooks();
SourceHooks function_url_hooks();
SourceHooks eventbridge_hooks();
SourceHooks scheduler_hooks();
SourceHooks cloudwatch_logs_hooks();
SourceHooks cloudformation_custom_resource_hooks();
SourceHooks firehose_hooks();
SourceHooks s3_batch_hooks();
SourceHooks s3_object_lambda_hooks();
SourceHooks cognito_user_pool_hooks();
SourceHooks ses_hooks();
SourceHooks codecommit_hooks();
SourceHooks codepipeline_hooks();
SourceHooks config_hooks();
SourceHooks lex_v2_hooks();
SourceHooks secrets_manager_hooks();
SourceHooks appsync_resolver_hooks();
SourceHooks cloudfront_edge_hooks();
SourceHooks iot_hooks();
SourceHooks alexa_skill_hooks();

}  // namespace evh::sources
