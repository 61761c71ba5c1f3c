-- One open request to join a child's network an agency a child: two asked at the same moment, the second
-- waits with the first (network-request-repository's insertNetworkRequest: on conflict do nothing).
CREATE UNIQUE INDEX "network_requests_open_idx" ON "network_requests" USING btree ("child_id","from_agency") WHERE "network_requests"."status" = 'open';