"""Prints a wrk Lua script that replays one SigV4-signed EC2 request.

usage: sign_request.py ENDPOINT ACTION [key=value ...]
The signature is computed by botocore exactly as a real client would; wrk
replays the same headers and body.
"""
import sys
import urllib.parse

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def signed(endpoint, params):
    body = urllib.parse.urlencode(params)
    req = AWSRequest(method="POST", url=endpoint + "/", data=body, headers={
        "Content-Type": "application/x-www-form-urlencoded; charset=utf-8"})
    SigV4Auth(Credentials("AKIDBENCH", "secret"), "ec2", "us-east-1").add_auth(req)
    return body, dict(req.headers)


def lua_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def main():
    endpoint, action = sys.argv[1], sys.argv[2]
    params = {"Action": action, "Version": "2016-11-15"}
    for kv in sys.argv[3:]:
        k, v = kv.split("=", 1)
        params[k] = v
    body, headers = signed(endpoint, params)
    print('wrk.method = "POST"')
    print("wrk.body = " + lua_str(body))
    for k, v in headers.items():
        print("wrk.headers[%s] = %s" % (lua_str(k), lua_str(v)))
    print('function response(status, headers, body)')
    print('  if status ~= 200 then errors_seen = (errors_seen or 0) + 1 end')
    print('end')


if __name__ == "__main__":
    main()
