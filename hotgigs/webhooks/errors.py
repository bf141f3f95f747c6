from hotgigs.errors import Conflict, NotFound, ValidationFailed


class WebhookEndpointNotFound(NotFound):
    default_message = "Webhook endpoint not found."


class WebhookDeliveryNotFound(NotFound):
    default_message = "Webhook delivery not found."


class InvalidWebhookEndpoint(ValidationFailed):
    default_message = "The webhook endpoint is not valid."


class WebhookTargetRefused(InvalidWebhookEndpoint):
    """The URL's host is, or resolves to, an address webhooks may not reach."""

    default_message = "Webhooks may not be sent to this address."


class WebhookEndpointDisabled(Conflict):
    default_message = "The webhook endpoint is disabled; enable it first."
