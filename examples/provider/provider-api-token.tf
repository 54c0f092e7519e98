# A legacy API token, read from MDA_API_TOKEN, and a smaller share of the tenant's budget of
# 30 requests per minute because a SIEM connector polls the same tenant.
provider "mda" {
  portal_url          = "https://contoso.us2.portal.cloudappsecurity.com"
  requests_per_minute = 20
}
