"""AWS API Gateway: REST and HTTP API exports, CloudFormation and SAM templates (see `reader`)."""

from riskscan.sources.gateways.aws.reader import AwsApiGatewayError, AwsApiGatewayReader

__all__ = ["AwsApiGatewayError", "AwsApiGatewayReader"]
